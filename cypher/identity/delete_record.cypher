// Removes a record and its evidence; identifiers no other record holds go with it. Which ones are
// orphans is decided before the delete: FalkorDB still sees a deleted edge later in the same query.
// mode: write
// params: key
// returns: person, identifiers, matched
MATCH (r:Record {key: $key})
OPTIONAL MATCH (r)-[:KEYED]->(mk:MatchKey)
SET mk.size = mk.size - 1
WITH DISTINCT r
OPTIONAL MATCH (r)-[:MATCHED]-(m:Record)
WITH r, collect(m.key) AS matched
OPTIONAL MATCH (r)-[:OF]->(p:Person)
OPTIONAL MATCH (r)-[:HAS]->(i:Identifier)
WITH r, matched, p, i, size([(i)<-[:HAS]-(other:Record) WHERE other.key <> $key | other.key]) AS others
WITH r, matched, p, collect(i.key) AS keys, collect(CASE WHEN others = 0 THEN i END) AS orphans
DETACH DELETE r
FOREACH (o IN orphans | DETACH DELETE o)
RETURN p.id AS person, keys AS identifiers, matched
