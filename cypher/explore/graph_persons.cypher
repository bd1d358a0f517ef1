// The persons of the identifiers and records on the outer edge of an identity graph (not expanded
// further), so that a drawing can show whom every node belongs to. Cut at $limit rows.
// mode: read
// params: identifiers, records, seenPersons, limit
// returns: kind, key, properties
UNWIND $identifiers AS member
MATCH (:Identifier {key: member})-[:OF]->(n:Person)
WHERE NOT n.id IN $seenPersons
RETURN DISTINCT 'person' AS kind, n.id AS key,
       {createdAt: n.createdAt, updatedAt: n.updatedAt, recordCount: n.recordCount, traits: n.traits} AS properties
LIMIT $limit
UNION
UNWIND $records AS member
MATCH (:Record {key: member})-[:OF]->(n:Person)
WHERE NOT n.id IN $seenPersons
RETURN DISTINCT 'person' AS kind, n.id AS key,
       {createdAt: n.createdAt, updatedAt: n.updatedAt, recordCount: n.recordCount, traits: n.traits} AS properties
LIMIT $limit
