// One breadth-first level of an identity graph: the neighbours (over HAS and OF, either direction, and
// the match links between records: MATCHED, POSSIBLE_MATCH, NOT_MATCHED) of the frontier that are not
// already drawn. Each branch is cut at $limit rows, so an identifier held by
// a huge number of records, or a huge person, costs at most the node budget; seen nodes are filtered
// before the cut so they do not eat it.
// mode: read
// params: identifiers, records, persons, seenIdentifiers, seenRecords, seenPersons, limit
// returns: kind, key, properties
UNWIND $identifiers AS frontier
MATCH (:Identifier {key: frontier})<-[:HAS]-(n:Record)
WHERE NOT n.key IN $seenRecords
RETURN DISTINCT 'record' AS kind, n.key AS key,
       {source: n.source, sourceId: n.sourceId, observedAt: n.observedAt, detached: n.detached,
        traits: n.traits} AS properties
LIMIT $limit
UNION
UNWIND $identifiers AS frontier
MATCH (:Identifier {key: frontier})-[:OF]->(n:Person)
WHERE NOT n.id IN $seenPersons
RETURN DISTINCT 'person' AS kind, n.id AS key,
       {createdAt: n.createdAt, updatedAt: n.updatedAt, recordCount: n.recordCount, traits: n.traits} AS properties
LIMIT $limit
UNION
UNWIND $records AS frontier
MATCH (:Record {key: frontier})-[:HAS]->(n:Identifier)
WHERE NOT n.key IN $seenIdentifiers
RETURN DISTINCT 'identifier' AS kind, n.key AS key,
       {type: n.type, value: n.value, blocked: n.blocked, shared: n.shared, createdAt: n.createdAt,
        lastSeenAt: n.lastSeenAt} AS properties
LIMIT $limit
UNION
UNWIND $records AS frontier
MATCH (:Record {key: frontier})-[:OF]->(n:Person)
WHERE NOT n.id IN $seenPersons
RETURN DISTINCT 'person' AS kind, n.id AS key,
       {createdAt: n.createdAt, updatedAt: n.updatedAt, recordCount: n.recordCount, traits: n.traits} AS properties
LIMIT $limit
UNION
UNWIND $persons AS frontier
MATCH (:Person {id: frontier})<-[:OF]-(n:Identifier)
WHERE NOT n.key IN $seenIdentifiers
RETURN DISTINCT 'identifier' AS kind, n.key AS key,
       {type: n.type, value: n.value, blocked: n.blocked, shared: n.shared, createdAt: n.createdAt,
        lastSeenAt: n.lastSeenAt} AS properties
LIMIT $limit
UNION
UNWIND $persons AS frontier
MATCH (:Person {id: frontier})<-[:OF]-(n:Record)
WHERE NOT n.key IN $seenRecords
RETURN DISTINCT 'record' AS kind, n.key AS key,
       {source: n.source, sourceId: n.sourceId, observedAt: n.observedAt, detached: n.detached,
        traits: n.traits} AS properties
LIMIT $limit
UNION
UNWIND $records AS frontier
MATCH (:Record {key: frontier})-[:MATCHED|POSSIBLE_MATCH|NOT_MATCHED]-(n:Record)
WHERE NOT n.key IN $seenRecords
RETURN DISTINCT 'record' AS kind, n.key AS key,
       {source: n.source, sourceId: n.sourceId, observedAt: n.observedAt, detached: n.detached,
        traits: n.traits} AS properties
LIMIT $limit
