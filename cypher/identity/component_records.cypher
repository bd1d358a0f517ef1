// Records of an evidence component, with every identifier they hold ([key, blocked]) and their person.
// OPTIONAL MATCH + collect, not a pattern comprehension: on FalkorDB it is about twice as fast per key.
// mode: read
// params: keys
// returns: key, source, observedAt, traits, detached, version, contentHash, held, person, personCreatedAt, personRejections
UNWIND $keys AS k
MATCH (r:Record {key: k})
OPTIONAL MATCH (r)-[:HAS]->(i:Identifier)
WITH r, collect(CASE WHEN i IS NULL THEN null ELSE [i.key, i.blocked] END) AS held
OPTIONAL MATCH (r)-[:OF]->(p:Person)
RETURN r.key AS key, r.source AS source, r.observedAt AS observedAt, r.traits AS traits,
       r.detached AS detached, r.version AS version, r.contentHash AS contentHash, held,
       p.id AS person, p.createdAt AS personCreatedAt, p.rejections AS personRejections
