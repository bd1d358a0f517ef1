// Removes the erased person and every id retired into her (golden traits, history, search text with them, and
// the SegmentEvents nodes holding her segment history): afterwards her ids answer as unknown. Appends `changes`
// (ERASED) to the change feed when there was someone to erase.
// mode: write
// params: persons, now, changes
// returns: removed
UNWIND $persons AS id
MATCH (p:Person {id: id})
WITH p, [(p)-[:SEGMENT_EVENTS]->(events:SegmentEvents) | events] AS histories
FOREACH (events IN histories | DETACH DELETE events)
WITH collect(p) AS gone
FOREACH (p IN gone | DETACH DELETE p)
WITH gone, CASE WHEN size(gone) = 0 THEN [] ELSE $changes END AS changes
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
