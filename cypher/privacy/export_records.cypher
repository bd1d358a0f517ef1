// A subject export: every record of the person, with its source, times, traits and the identifiers it holds.
// mode: read
// params: id
// returns: key, source, sourceId, observedAt, createdAt, updatedAt, traits, detached, identifiers
MATCH (:Person {id: $id})<-[:OF]-(r:Record)
RETURN r.key AS key, r.source AS source, r.sourceId AS sourceId, r.observedAt AS observedAt,
       r.createdAt AS createdAt, r.updatedAt AS updatedAt, r.traits AS traits,
       coalesce(r.detached, false) AS detached,
       [(r)-[h:HAS]->(i:Identifier) | {key: i.key, at: h.at}] AS identifiers
