// Test-only: puts persons into a segment as segment maintenance would, and appends SEGMENT_ENTERED for those not in
// it yet with the block of cypher/feed/emit.fragment: the documented way for any write statement to emit changes.
// mode: write
// params: ids, segment, now, change
// returns: entered
MERGE (s:Segment {key: $segment})
WITH s
UNWIND $ids AS id
MATCH (p:Person {id: id})
OPTIONAL MATCH (p)-[was:IN]->(s)
WITH s, p, was IS NULL AS entering
MERGE (p)-[in:IN]->(s)
ON CREATE SET in.since = $now
WITH s, collect(CASE WHEN entering THEN p.id END) AS entered
WITH s, entered, [id IN entered | {kind: 'SEGMENT_ENTERED', personId: id, data: $change.data}] AS changes
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
RETURN size(entered) AS entered
