// Writes source records and their identifier evidence (HAS edges); idempotent per record key.
// A record re-sent with the same content hash is left as it is. Identifiers a record no longer
// carries lose their HAS edge from it. Resolution into persons happens afterwards (commit_resolution).
// A record carrying an erased identifier (rec.hashes: its identifiers' salted hashes, one of them a Tombstone's)
// is refused here, in the statement that would write it: it is not written and has no row. A record sent
// without hashes is not checked (the benchmark seeder's).
// mode: write
// params: now, records
// returns: index, key, created, unchanged, person
UNWIND $records AS rec
UNWIND coalesce(rec.hashes, []) + [''] AS hash
OPTIONAL MATCH (t:Tombstone {hash: hash})
// In the batch's order again (the last of a key's duplicates wins).
WITH rec, count(t) AS erased
ORDER BY rec.index
WHERE erased = 0
MERGE (r:Record {key: rec.key})
ON CREATE SET r.source = rec.source, r.sourceId = rec.sourceId, r.createdAt = $now, r.version = 0,
              r.resolvedVersion = -1, r.detached = false
WITH r, rec, r.contentHash IS NULL AS created, coalesce(r.contentHash = rec.contentHash, false) AS same
SET r.observedAt = CASE WHEN same THEN r.observedAt ELSE rec.observedAt END, r.traits = rec.traits, r.traitKeys = rec.traitKeys,
    r.contentHash = rec.contentHash,
    r.version = CASE WHEN same THEN r.version ELSE r.version + 1 END,
    r.updatedAt = CASE WHEN same THEN r.updatedAt ELSE $now END
FOREACH (id IN CASE WHEN same THEN [] ELSE rec.identifiers END |
  MERGE (i:Identifier {key: id.key})
  ON CREATE SET i.type = id.type, i.value = id.value, i.createdAt = $now, i.blocked = id.blocked,
                i.shared = false, i.rejections = 0
  SET i.lastSeenAt = CASE WHEN coalesce(i.lastSeenAt, 0) < rec.observedAt THEN rec.observedAt ELSE i.lastSeenAt END
  MERGE (r)-[h:HAS]->(i)
  SET h.at = rec.observedAt, h.source = rec.source
)
WITH r, rec, created, same
// A record just created has no edge but those above: no identifier to drop (and no traversal to pay for).
OPTIONAL MATCH (r)-[h:HAS]->(gone:Identifier)
WHERE NOT same AND NOT created AND NOT gone.key IN [x IN rec.identifiers | x.key]
DELETE h
WITH DISTINCT r, rec, created, same
OPTIONAL MATCH (r)-[:OF]->(p:Person)
RETURN rec.index AS index, r.key AS key, created, same AND r.resolvedVersion = r.version AS unchanged, p.id AS person
