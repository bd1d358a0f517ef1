// Test-only: MATCHED links whose two records ended with the same person and share no linking identifier:
// the probabilistic matches resolution applied.
// mode: read
// params: none
// returns: a, b
MATCH (a:Record)-[:MATCHED]->(b:Record)
MATCH (a)-[:OF]->(p:Person)<-[:OF]-(b)
OPTIONAL MATCH (a)-[:HAS]->(i:Identifier)<-[:HAS]-(b)
WHERE NOT i.blocked
WITH a, b, count(i) AS shared
WHERE shared = 0
RETURN a.key AS a, b.key AS b
ORDER BY a, b
