// The persons of the identifiers and records on the outer edge of an identity graph (not expanded
// further), so that a drawing can show whom every node belongs to. Cut at $limit rows. Each walk starts from
// the member's index (the test of the person after a WITH: see graph_neighbours).
// mode: read
// params: identifiers, records, seenPersons, limit
// returns: kind, key, properties
UNWIND $identifiers AS member
MATCH (m:Identifier {key: member})-[:OF]->(n:Person)
WITH n
WHERE NOT n.id IN $seenPersons
RETURN DISTINCT 'person' AS kind, n.id AS key,
       {createdAt: n.createdAt, updatedAt: n.updatedAt, recordCount: n.recordCount, traits: n.traits} AS properties
LIMIT $limit
UNION
UNWIND $records AS member
MATCH (m:Record {key: member})-[:OF]->(n:Person)
WITH n
WHERE NOT n.id IN $seenPersons
RETURN DISTINCT 'person' AS kind, n.id AS key,
       {createdAt: n.createdAt, updatedAt: n.updatedAt, recordCount: n.recordCount, traits: n.traits} AS properties
LIMIT $limit
