// Marks a record detached: it keeps its evidence but no longer links; the caller re-clusters. Appends
// `change` (RECORD_REMOVED) to the change feed for the person the record was with.
// mode: write
// params: key, now, change
// returns: key
MATCH (r:Record {key: $key})
SET r.detached = true, r.version = r.version + 1, r.updatedAt = $now
WITH r
OPTIONAL MATCH (r)-[:OF]->(p:Person)
WITH r, CASE WHEN p IS NULL THEN [] ELSE [{kind: $change.kind, personId: p.id, data: $change.data}] END AS changes
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
RETURN r.key AS key
