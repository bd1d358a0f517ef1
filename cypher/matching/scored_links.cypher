// Every link a score made (MATCHED not set by a reviewer, and POSSIBLE_MATCH), for rescoring.
// mode: read
// params: none
// returns: a, b, matched, score
MATCH (a:Record)-[m:MATCHED|POSSIBLE_MATCH]->(b:Record)
WHERE NOT coalesce(m.reviewed, false)
RETURN a.key AS a, b.key AS b, type(m) = 'MATCHED' AS matched, m.score AS score
