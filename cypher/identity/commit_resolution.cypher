// Commits the clusters computed for a component, but only if nothing that was read has changed since
// (identifier and record person, evidence degree, record version); otherwise it returns no row and the
// caller reads again. Each check names a record or an identifier; the other key is "" (an indexed miss,
// where null would scan the label). The SETs of lockedAt take write locks on Neo4j before the check; FalkorDB
// runs write queries one at a time, and the store sends them one at a time (see FalkorDBStore), so it leaves the
// line out (`// neo4j only`: 14 % of a 5,000-record batch's commit there). Degrees are
// counted with OPTIONAL MATCH + count (on FalkorDB about twice as fast as size() of a pattern
// comprehension). After the check, every write is a FOREACH so the row count stays one; the last appends the
// plan's change-feed events (graphcdp/identity/changes.py), so they are written if and only if the plan is.
// A person's traitFacets are her golden traits as `path=value` texts, what segment conditions look traits up by.
// mode: write
// params: now, checks, persons, retired, recordMoves, identifierMoves, flags, resolved, changes
// returns: stale
UNWIND $checks AS c
OPTIONAL MATCH (i:Identifier {key: c.identifier})
OPTIONAL MATCH (r:Record {key: c.record})
SET i.lockedAt = $now, r.lockedAt = $now  // neo4j only
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
  // "" for an identifier no record links: it belongs to no person (graphcdp/identity/planner.py).
  FOREACH (new IN CASE WHEN m.person = '' THEN [] ELSE [m.person] END |
    MERGE (x:Person {id: new})
    MERGE (i)-[:OF]->(x)
  )
)
FOREACH (f IN $flags |
  MERGE (i:Identifier {key: f.key})
  SET i.shared = f.shared, i.rejections = f.rejections
)
FOREACH (k IN $resolved |
  MERGE (r:Record {key: k})
  SET r.resolvedVersion = r.version
)
WITH stale, $changes AS changes
// Change feed: append the list `changes` ([{kind, personId, data}]) to the feed, numbered from its counter node,
// in the statement that writes the changes (docs/change-feed.md). Keep this block exactly as it is: the
// statements that emit changes hold a copy (tests/unit/test_change_feed_fragment.py checks it). One FOREACH,
// so it neither adds nor removes rows; the SET of lockedAt takes the counter's write lock on Neo4j before it
// is read, so sequences follow commit order there too (FalkorDB runs writes one at a time).
FOREACH (emit IN CASE WHEN size(changes) = 0 THEN [] ELSE [1] END |
  MERGE (feed:ChangeFeed {id: 'changes'})
  ON CREATE SET feed.last = 0, feed.first = 1
  SET feed.lockedAt = $now
  FOREACH (n IN range(0, size(changes) - 1) |
    CREATE (:Change {sequence: feed.last + 1 + n, kind: changes[n].kind, personId: changes[n].personId,
                     at: $now, data: changes[n].data})
  )
  SET feed.last = feed.last + size(changes)
)
RETURN stale
