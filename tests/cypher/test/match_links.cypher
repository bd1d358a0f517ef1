// Test-only: every probabilistic link between two records, with its kind (MATCHED or POSSIBLE_MATCH).
// mode: read
// params: none
// returns: a, b, kind
MATCH (a:Record)-[m:MATCHED|POSSIBLE_MATCH]->(b:Record)
RETURN a.key AS a, b.key AS b, type(m) AS kind
ORDER BY a, b
