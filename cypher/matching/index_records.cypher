// Indexes records under their match keys (blocking and term keys), keeping each key's size: the number of
// records under it. Keys a record no longer has lose it; the caller sends the records whose content changed.
// mode: write
// params: records
// returns: key
UNWIND $records AS rec
MATCH (r:Record {key: rec.key})
OPTIONAL MATCH (r)-[k:KEYED]->(old:MatchKey)
WHERE NOT old.key IN rec.keys
SET old.size = old.size - 1
DELETE k
WITH DISTINCT r, rec
FOREACH (key IN rec.keys |
  MERGE (m:MatchKey {key: key})
  ON CREATE SET m.size = 0
  MERGE (r)-[e:KEYED]->(m)
  ON CREATE SET m.size = m.size + 1
)
RETURN r.key AS key
