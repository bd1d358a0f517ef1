// Records one consent statement given through an identifier; the identifier (and its evidence record)
// exists already. Idempotent per statement id: statements are kept, never overwritten (the history); a
// statement sent again keeps the time it was first recorded. A new statement of an identifier with a person
// appends `change` (CONSENT_CHANGED) to the change feed for her; one sent again changes nothing and appends nothing.
// mode: write
// params: now, consent, change
// returns: id, person, recordedAt
MATCH (i:Identifier {key: $consent.identifier})
OPTIONAL MATCH (known:Consent {id: $consent.id})
WITH i, known IS NULL AS new
MERGE (c:Consent {id: $consent.id})
ON CREATE SET c.purpose = $consent.purpose, c.channel = $consent.channel, c.status = $consent.status,
              c.at = $consent.at, c.source = $consent.source, c.recordedAt = $now, c.identifier = i.key
MERGE (c)-[:FOR]->(i)
WITH c, i, new
OPTIONAL MATCH (i)-[:OF]->(p:Person)
WITH c, p, CASE WHEN new AND p IS NOT NULL
                THEN [{kind: $change.kind, personId: p.id, data: $change.data}] ELSE [] END AS changes
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
RETURN c.id AS id, p.id AS person, c.recordedAt AS recordedAt
