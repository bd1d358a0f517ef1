// Records of an evidence component, with their linking identifiers and current person.
// mode: read
// params: keys
// returns: key, source, observedAt, traits, detached, version, degree, identifiers, contentHash, person, personCreatedAt, personRejections
UNWIND $keys AS k
MATCH (r:Record {key: k})
OPTIONAL MATCH (r)-[:OF]->(p:Person)
RETURN r.key AS key, r.source AS source, r.observedAt AS observedAt, r.traits AS traits,
       r.detached AS detached, r.version AS version, r.contentHash AS contentHash,
       size([(r)-[:HAS]->(held:Identifier) | held.key]) AS degree,
       [(r)-[:HAS]->(i:Identifier) WHERE i.blocked = false | i.key] AS identifiers,
       p.id AS person, p.createdAt AS personCreatedAt, p.rejections AS personRejections
