// Evidence records of observations that are not source records (touchpoints, consent statements): one
// record per distinct set of linking identifiers, so a million page views of one cookie are one record.
// It is observed at the earliest observation that carried the set, whatever order they arrive in; an
// earlier one bumps the version so the component is resolved again. Re-sends change nothing.
// mode: write
// params: now, evidence
// returns: key, unchanged, person
UNWIND $evidence AS ev
MERGE (r:Record {key: ev.key})
ON CREATE SET r.source = ev.source, r.sourceId = ev.sourceId, r.createdAt = $now, r.updatedAt = $now,
              r.version = 0, r.resolvedVersion = -1, r.detached = false, r.traits = '{}', r.traitKeys = [],
              r.contentHash = ev.contentHash, r.observedAt = ev.observedAt
WITH r, ev, ev.observedAt < r.observedAt AS earlier
SET r.observedAt = CASE WHEN earlier THEN ev.observedAt ELSE r.observedAt END,
    r.version = CASE WHEN earlier THEN r.version + 1 ELSE r.version END,
    r.updatedAt = CASE WHEN earlier THEN $now ELSE r.updatedAt END
FOREACH (id IN ev.identifiers |
  MERGE (i:Identifier {key: id.key})
  ON CREATE SET i.type = id.type, i.value = id.value, i.createdAt = $now, i.blocked = id.blocked,
                i.shared = false, i.rejections = 0
  SET i.lastSeenAt = CASE WHEN coalesce(i.lastSeenAt, 0) < ev.lastSeenAt THEN ev.lastSeenAt ELSE i.lastSeenAt END
  MERGE (r)-[h:HAS]->(i)
  ON CREATE SET h.at = ev.observedAt, h.source = ev.source
)
WITH r, ev
OPTIONAL MATCH (r)-[:OF]->(p:Person)
RETURN ev.key AS key, r.resolvedVersion = r.version AS unchanged, p.id AS person
