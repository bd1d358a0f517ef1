// One breadth-first level of an identity graph: the neighbours (over HAS and OF, either direction, and
// the match links between records: MATCHED, POSSIBLE_MATCH, NOT_MATCHED) of the frontier that are not
// already drawn. Each branch is cut at $limit rows, so an identifier held by
// a huge number of records, or a huge person, costs at most the node budget; seen nodes are filtered
// before the cut so they do not eat it. Each walk starts from the frontier's index: the test of the
// neighbour stands after a WITH, or FalkorDB starts from a scan of every node of the neighbour's label.
// mode: read
// params: identifiers, records, persons, seenIdentifiers, seenRecords, seenPersons, limit
// returns: kind, key, properties
UNWIND $identifiers AS frontier
MATCH (f:Identifier {key: frontier})<-[:HAS]-(n:Record)
WITH n
WHERE NOT n.key IN $seenRecords
RETURN DISTINCT 'record' AS kind, n.key AS key,
       {source: n.source, sourceId: n.sourceId, observedAt: n.observedAt, detached: n.detached,
        traits: n.traits} AS properties
LIMIT $limit
UNION
UNWIND $identifiers AS frontier
MATCH (f:Identifier {key: frontier})-[:OF]->(n:Person)
WITH n
WHERE NOT n.id IN $seenPersons
RETURN DISTINCT 'person' AS kind, n.id AS key,
       {createdAt: n.createdAt, updatedAt: n.updatedAt, recordCount: n.recordCount, traits: n.traits} AS properties
LIMIT $limit
UNION
UNWIND $records AS frontier
MATCH (f:Record {key: frontier})-[:HAS]->(n:Identifier)
WITH n
WHERE NOT n.key IN $seenIdentifiers
RETURN DISTINCT 'identifier' AS kind, n.key AS key,
       {type: n.type, value: n.value, blocked: n.blocked, shared: n.shared, createdAt: n.createdAt,
        lastSeenAt: n.lastSeenAt} AS properties
LIMIT $limit
UNION
UNWIND $records AS frontier
MATCH (f:Record {key: frontier})-[:OF]->(n:Person)
WITH n
WHERE NOT n.id IN $seenPersons
RETURN DISTINCT 'person' AS kind, n.id AS key,
       {createdAt: n.createdAt, updatedAt: n.updatedAt, recordCount: n.recordCount, traits: n.traits} AS properties
LIMIT $limit
UNION
UNWIND $persons AS frontier
MATCH (f:Person {id: frontier})<-[:OF]-(n:Identifier)
WITH n
WHERE NOT n.key IN $seenIdentifiers
RETURN DISTINCT 'identifier' AS kind, n.key AS key,
       {type: n.type, value: n.value, blocked: n.blocked, shared: n.shared, createdAt: n.createdAt,
        lastSeenAt: n.lastSeenAt} AS properties
LIMIT $limit
UNION
UNWIND $persons AS frontier
MATCH (f:Person {id: frontier})<-[:OF]-(n:Record)
WITH n
WHERE NOT n.key IN $seenRecords
RETURN DISTINCT 'record' AS kind, n.key AS key,
       {source: n.source, sourceId: n.sourceId, observedAt: n.observedAt, detached: n.detached,
        traits: n.traits} AS properties
LIMIT $limit
UNION
UNWIND $records AS frontier
MATCH (f:Record {key: frontier})-[:MATCHED|POSSIBLE_MATCH|NOT_MATCHED]-(n:Record)
WITH n
WHERE NOT n.key IN $seenRecords
RETURN DISTINCT 'record' AS kind, n.key AS key,
       {source: n.source, sourceId: n.sourceId, observedAt: n.observedAt, detached: n.detached,
        traits: n.traits} AS properties
LIMIT $limit
