// Test-only: every record with its person, to compare whole partitions.
// mode: read
// params: none
// returns: record, person
MATCH (r:Record)
OPTIONAL MATCH (r)-[:OF]->(p:Person)
RETURN r.key AS record, p.id AS person
ORDER BY record
