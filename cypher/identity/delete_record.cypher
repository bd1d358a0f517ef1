// Removes a record and its evidence; identifiers no other record holds go with it. Which ones are
// orphans is decided before the delete: FalkorDB still sees a deleted edge later in the same query. Appends
// `change` (RECORD_REMOVED) to the change feed for the person the record was with.
// mode: write
// params: key, now, change
// returns: person, identifiers, matched
MATCH (r:Record {key: $key})
OPTIONAL MATCH (r)-[:KEYED]->(mk:MatchKey)
SET mk.size = mk.size - 1
WITH DISTINCT r
OPTIONAL MATCH (r)-[:MATCHED]-(m:Record)
WITH r, collect(m.key) AS matched
OPTIONAL MATCH (r)-[:OF]->(p:Person)
OPTIONAL MATCH (r)-[:HAS]->(i:Identifier)
WITH r, matched, p, i, size([(i)<-[:HAS]-(other:Record) WHERE other.key <> $key | other.key]) AS others
WITH r, matched, p, collect(i.key) AS keys, collect(CASE WHEN others = 0 THEN i END) AS orphans
DETACH DELETE r
FOREACH (o IN orphans | DETACH DELETE o)
WITH p, keys, matched,
     CASE WHEN p IS NULL THEN [] ELSE [{kind: $change.kind, personId: p.id, data: $change.data}] END AS changes
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
RETURN p.id AS person, keys AS identifiers, matched
