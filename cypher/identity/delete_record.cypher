// Removes a record and its evidence; identifiers no other record holds go with it.
// mode: write
// params: key
// returns: person, identifiers
MATCH (r:Record {key: $key})
OPTIONAL MATCH (r)-[:OF]->(p:Person)
WITH r, p, [(r)-[:HAS]->(i:Identifier) | i] AS held
WITH r, p, held, [i IN held | i.key] AS keys
DETACH DELETE r
WITH p, held, keys
UNWIND (CASE WHEN size(held) = 0 THEN [null] ELSE held END) AS i
WITH p, keys, i, CASE WHEN i IS NULL THEN true ELSE exists((i)<-[:HAS]-()) END AS kept
WITH p, keys, collect(CASE WHEN kept THEN null ELSE i END) AS orphans
FOREACH (o IN orphans | DETACH DELETE o)
RETURN p.id AS person, keys AS identifiers
