// Writes source records and their identifier evidence (HAS edges); idempotent per record key.
// A record re-sent with the same content hash is left as it is. Identifiers a record no longer
// carries lose their HAS edge from it. Resolution into persons happens afterwards (commit_resolution).
// A record carrying an erased identifier (rec.hashes: its identifiers' salted hashes, one of them a Tombstone's)
// is refused here, in the statement that would write it: it is not written and has no row. A record sent
// without hashes is not checked (the benchmark seeder's).
// With matching on, each record comes with its match keys (rec.matchKeys: blocking and term keys): a record whose
// content changed (or is not resolved yet) is filed under them and leaves the keys it no longer has, as
// matching/index_records files it, and its row answers with the size of each of its keys, read once every record
// is filed (what matching reads next). One write instead of two per upsert.
// mode: write
// params: now, records, firstHop
// returns: index, key, created, unchanged, person, keySizes, held, version
// The batch's erased hashes first, as a list (nearly always empty): grouping the records by themselves to count
// theirs hashed every record's whole map.
UNWIND $records AS hashed
UNWIND coalesce(hashed.hashes, []) AS hash
OPTIONAL MATCH (t:Tombstone {hash: hash})
WITH collect(t.hash) AS erased
UNWIND $records AS rec
// UNWIND keeps the batch's order, so the last of a key's duplicates wins (no aggregation may come before the MERGE).
WITH rec, erased
WHERE size(erased) = 0 OR none(hash IN coalesce(rec.hashes, []) WHERE hash IN erased)
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
// Only what the rest needs goes on, not the record's map: the DISTINCTs and aggregations below group by every
// value carried, and grouping by the map cost a tenth of a 5,000-record write (docs/performance.md).
WITH r, rec.index AS index, created, same, same AND r.resolvedVersion = r.version AS unchanged,
     [x IN rec.identifiers | x.key] AS carried, rec.matchKeys AS matchKeys
// A record just created has no edge but those above: no identifier to drop (and no traversal to pay for).
OPTIONAL MATCH (r)-[h:HAS]->(gone:Identifier)
WHERE NOT same AND NOT created AND NOT gone.key IN carried
DELETE h
WITH DISTINCT r, index, created, unchanged, CASE WHEN unchanged THEN null ELSE matchKeys END AS keys
OPTIONAL MATCH (r)-[k:KEYED]->(old:MatchKey)
WHERE keys IS NOT NULL AND NOT created AND NOT old.key IN keys
SET old.size = old.size - 1
DELETE k
WITH DISTINCT r, index, created, unchanged, keys
FOREACH (key IN coalesce(keys, []) |
  MERGE (m:MatchKey {key: key})
  ON CREATE SET m.size = 0
  MERGE (r)-[e:KEYED]->(m)
  ON CREATE SET m.size = m.size + 1
)
WITH r, index, created, unchanged, keys
// A record created now is answered as the component read's first hop would read it ($firstHop, asked for small
// writes only: a single upsert's, where that read is a round trip of its own): every identifier it holds, as stored,
// and for each linking one the records holding it (this one too) and the person owning it. Resolution takes that
// instead of reading the record back (graphcdp/identity/component.py). The traversal starts from `fresh`, null
// unless asked for: a WHERE after it would still traverse every record's identifiers (GRAPH.PROFILE: a tenth of a
// bulk write's time, for nothing).
WITH r, index, created, unchanged, keys, CASE WHEN $firstHop AND created THEN r END AS fresh
OPTIONAL MATCH (fresh)-[:HAS]->(held:Identifier)
OPTIONAL MATCH (held)<-[:HAS]-(holder:Record)
WHERE NOT held.blocked
WITH r, index, created, unchanged, keys, held, collect(holder.key) AS holders
OPTIONAL MATCH (held)-[:OF]->(owner:Person)
WHERE NOT held.blocked
WITH r, index, created, unchanged, keys,
     collect(CASE WHEN held IS NULL THEN null
                  ELSE {key: held.key, type: held.type, blocked: held.blocked, shared: held.shared, records: holders,
                        person: owner.id} END) AS heldNow
WITH r, index, created, unchanged, keys, CASE WHEN $firstHop AND created THEN heldNow END AS held
OPTIONAL MATCH (r)-[:OF]->(p:Person)
// Every record is filed before a key's size is read.
WITH collect({index: index, key: r.key, created: created, unchanged: unchanged, person: p.id,
              keys: coalesce(keys, []), held: held, version: r.version}) AS written
UNWIND written AS row
// One row per key, so that each is found by the index (a null one for a record with none: no MatchKey).
UNWIND CASE WHEN size(row.keys) = 0 THEN [null] ELSE row.keys END AS matchKey
OPTIONAL MATCH (m:MatchKey {key: matchKey})
// Grouped by scalars: a map as a grouping key is hashed whole (its list of keys too) on every row.
WITH row.index AS index, row.key AS key, row.created AS created, row.unchanged AS unchanged, row.person AS person,
     row.held AS held, row.version AS version,
     collect(CASE WHEN m IS NULL THEN null ELSE {key: m.key, size: m.size} END) AS keySizes
RETURN index, key, created, unchanged, person, keySizes, held, version
