// Resolves a batch's new evidence records that only add to one person, or make a new one on their own (and
// stored ones an earlier observation moved back, which stay with their person); graphcdp/identity/additions.py
// decides which, and proves the full plan would do the same. Only if what that was decided from still holds:
// each record unresolved and with the same person ("" for none), each identifier with the same person and
// number of records, each person at the same version. Otherwise it returns no row,
// writes nothing, and the caller resolves those records the full way. Each check names one of a record, an
// identifier or a person; the others are "" (an indexed miss). The SETs of lockedAt take write locks on Neo4j
// before the check (FalkorDB runs one write at a time and leaves the line out). After it, every write is a
// FOREACH so the row count stays one; the last appends the change-feed events, so they are written if and only
// if the resolution is.
// mode: write
// params: now, checks, persons, recordMoves, identifierMoves, changes
// returns: stale
UNWIND $checks AS c
OPTIONAL MATCH (r:Record {key: c.record})
OPTIONAL MATCH (i:Identifier {key: c.identifier})
OPTIONAL MATCH (p:Person {id: c.person})
SET r.lockedAt = $now, i.lockedAt = $now, p.lockedAt = $now  // neo4j only
WITH c, r, i, p
OPTIONAL MATCH (r)-[:OF]->(rp:Person)
OPTIONAL MATCH (i)-[:OF]->(ip:Person)
WITH c, r, i, p, coalesce(rp.id, ip.id, '') AS owner
OPTIONAL MATCH (i)<-[ih:HAS]-(:Record)
OPTIONAL MATCH (r)-[rh:HAS]->(:Identifier)
WITH c, r, i, p, owner, count(ih) + count(rh) AS degree
WITH sum(
  CASE
    WHEN c.record <> '' THEN
      CASE WHEN r IS NOT NULL AND owner = c.owner AND r.resolvedVersion <> r.version AND degree = c.degree THEN 0 ELSE 1 END
    WHEN c.identifier <> '' THEN
      CASE WHEN i IS NOT NULL AND owner = c.owner AND degree = c.degree THEN 0 ELSE 1 END
    ELSE
      CASE WHEN p IS NOT NULL AND p.version = c.version AND p.mergedInto IS NULL THEN 0 ELSE 1 END
  END
) AS stale
WITH stale WHERE stale = 0
FOREACH (u IN $persons |
  MERGE (x:Person {id: u.id})
  ON CREATE SET x.createdAt = $now, x.version = 0, x.history = []
  SET x.version = x.version + 1, x.updatedAt = $now, x.traits = u.traits, x.traitFacets = u.traitFacets,
      x.rejections = u.rejections, x.history = x.history + u.events, x.recordCount = u.recordCount, x.name = u.name,
      x.search = u.search
)
FOREACH (m IN $recordMoves |
  MERGE (r:Record {key: m.key})
  MERGE (x:Person {id: m.person})
  MERGE (r)-[:OF]->(x)
  SET r.resolvedVersion = r.version
)
FOREACH (m IN $identifierMoves |
  MERGE (i:Identifier {key: m.key})
  MERGE (x:Person {id: m.person})
  MERGE (i)-[:OF]->(x)
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
