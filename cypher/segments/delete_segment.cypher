// Removes a segment and its membership edges, and appends SEGMENT_EXITED for each live member (an audience synced
// elsewhere empties with it); retired persons' edges go without an event, as in a refresh. It raises the version
// of the stored segments (segments/segments_version) that processes' cached copies check.
// mode: write
// params: key, now, change
// returns: removed
OPTIONAL MATCH (s:Segment {key: $key})
OPTIONAL MATCH (p:Person)-[:IN]->(s) WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
WITH collect(DISTINCT s) AS gone, collect(DISTINCT p.id) AS members
WITH gone, [id IN members | {kind: $change.kind, personId: id, data: $change.data}] AS changes
FOREACH (s IN gone | DETACH DELETE s)
MERGE (v:SegmentCatalog {name: 'segments'})
ON CREATE SET v.createdAt = $now
SET v.version = coalesce(v.version, 0) + 1
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
RETURN size(gone) AS removed
