// One source record and the person it belongs to.
// mode: read
// params: key
// returns: key, source, sourceId, observedAt, traits, detached, person
MATCH (r:Record {key: $key})
OPTIONAL MATCH (r)-[:OF]->(p:Person)
RETURN r.key AS key, r.source AS source, r.sourceId AS sourceId, r.observedAt AS observedAt, r.traits AS traits,
       r.detached AS detached, p.id AS person
