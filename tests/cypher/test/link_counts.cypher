// Test-only: how many MATCHED and POSSIBLE_MATCH relationships join each linked pair of records.
// mode: read
// params: none
// returns: a, b, links
MATCH (a:Record)-[m:MATCHED|POSSIBLE_MATCH]->(b:Record)
RETURN a.key AS a, b.key AS b, count(m) AS links
ORDER BY a, b
