// Records of an evidence component, with every identifier they hold ([key, blocked]), their probabilistic
// links ([other, score, reviewed, rule]), the records a reviewer said are someone else, and their person.
// OPTIONAL MATCH + collect, not a pattern comprehension: on FalkorDB it is about twice as fast per key.
// mode: read
// params: keys
// returns: key, source, observedAt, traits, detached, version, contentHash, held, matched, cannot, person, personCreatedAt, personRejections
UNWIND $keys AS k
MATCH (r:Record {key: k})
OPTIONAL MATCH (r)-[:HAS]->(i:Identifier)
WITH r, collect(CASE WHEN i IS NULL THEN null ELSE [i.key, i.blocked] END) AS held
OPTIONAL MATCH (r)-[m:MATCHED]-(o:Record)
WITH r, held, collect(CASE WHEN o IS NULL THEN null ELSE [o.key, m.score, m.reviewed, m.rule] END) AS matched
OPTIONAL MATCH (r)-[:NOT_MATCHED]-(x:Record)
WITH r, held, matched, collect(x.key) AS cannot
OPTIONAL MATCH (r)-[:OF]->(p:Person)
RETURN r.key AS key, r.source AS source, r.observedAt AS observedAt, r.traits AS traits,
       r.detached AS detached, r.version AS version, r.contentHash AS contentHash, held, matched, cannot,
       p.id AS person, p.createdAt AS personCreatedAt, p.rejections AS personRejections
