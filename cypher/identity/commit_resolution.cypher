// Commits the clusters computed for a component, but only if nothing that was read has changed since
// (identifier and record person, evidence degree, record version); otherwise it returns no row and the
// caller reads again. Each check names a record or an identifier; the other key is "" (an indexed miss,
// where null would scan the label). The SETs of lockedAt take write locks on Neo4j before the check; FalkorDB
// runs write queries one at a time, and the store sends them one at a time (see FalkorDBStore). Degrees are
// counted with OPTIONAL MATCH + count (on FalkorDB about twice as fast as size() of a pattern
// comprehension). After the check, every write is a FOREACH so the row count stays one. A person's traitFacets
// are her golden traits as `path=value` texts, what segment conditions look traits up by.
// mode: write
// params: now, checks, persons, retired, recordMoves, identifierMoves, flags, resolved
// returns: stale
UNWIND $checks AS c
OPTIONAL MATCH (i:Identifier {key: c.identifier})
OPTIONAL MATCH (r:Record {key: c.record})
SET i.lockedAt = $now, r.lockedAt = $now
WITH c, i, r
OPTIONAL MATCH (i)-[:OF]->(ip:Person)
OPTIONAL MATCH (r)-[:OF]->(rp:Person)
WITH c, i, r, coalesce(ip.id, rp.id, '') AS person
OPTIONAL MATCH (i)<-[ih:HAS]-(:Record)
OPTIONAL MATCH (r)-[rh:HAS]->(:Identifier)
// A check names either an identifier or a record, so one side is null and no row is counted twice.
WITH c.identifier AS ik, c.record AS rk, c.person AS wantPerson, c.degree AS wantDegree, c.version AS wantVersion,
     i, r, person, count(ih) + count(rh) AS evidence
// A record's degree also counts its probabilistic links and a reviewer's cannot-links.
OPTIONAL MATCH (r)-[rm:MATCHED|NOT_MATCHED]-(:Record)
WITH ik, rk, wantPerson, wantDegree, wantVersion, i, r, person, evidence, count(rm) AS links
WITH sum(
  CASE WHEN (i IS NOT NULL OR r IS NOT NULL) AND person = wantPerson AND evidence + links = wantDegree
            AND coalesce(r.version, -1) = wantVersion THEN 0 ELSE 1 END
) AS stale
WITH stale WHERE stale = 0
FOREACH (p IN $persons |
  MERGE (x:Person {id: p.id})
  ON CREATE SET x.createdAt = $now, x.version = 0, x.history = []
  SET x.version = x.version + 1, x.updatedAt = $now, x.traits = p.traits, x.traitFacets = p.traitFacets,
      x.rejections = p.rejections,
      x.history = x.history + p.events, x.recordCount = p.recordCount, x.name = p.name, x.search = p.search
)
FOREACH (m IN $retired |
  MERGE (x:Person {id: m.id})
  SET x.mergedInto = m.into, x.emptied = m.into IS NULL, x.updatedAt = $now, x.version = x.version + 1,
      x.history = coalesce(x.history, []) + m.events, x.recordCount = 0
  FOREACH (into IN CASE WHEN m.into IS NULL THEN [] ELSE [m.into] END |
    MERGE (survivor:Person {id: into})
    MERGE (x)-[:MERGED_INTO]->(survivor)
  )
)
FOREACH (m IN $recordMoves |
  MERGE (r:Record {key: m.key})
  FOREACH (old IN CASE WHEN m.old = '' THEN [] ELSE [m.old] END |
    MERGE (was:Person {id: old})
    MERGE (r)-[o:OF]->(was)
    DELETE o
  )
  MERGE (x:Person {id: m.person})
  MERGE (r)-[:OF]->(x)
)
FOREACH (m IN $identifierMoves |
  MERGE (i:Identifier {key: m.key})
  FOREACH (old IN CASE WHEN m.old = '' THEN [] ELSE [m.old] END |
    MERGE (was:Person {id: old})
    MERGE (i)-[o:OF]->(was)
    DELETE o
  )
  MERGE (x:Person {id: m.person})
  MERGE (i)-[:OF]->(x)
)
FOREACH (f IN $flags |
  MERGE (i:Identifier {key: f.key})
  SET i.shared = f.shared, i.rejections = f.rejections
)
FOREACH (k IN $resolved |
  MERGE (r:Record {key: k})
  SET r.resolvedVersion = r.version
)
RETURN stale
