// Indexes records under their match keys (blocking and term keys), keeping each key's size: the number of
// records under it. Keys a record no longer has lose it; the caller sends the records whose content changed.
// Returns the size of every key the records have now (what matching reads next: block sizes, value counts).
// mode: write
// params: records
// returns: key, size
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
// Every record is indexed before a size is read.
WITH collect(rec.keys) AS keys
UNWIND keys AS recordKeys
UNWIND recordKeys AS key
WITH DISTINCT key
MATCH (m:MatchKey {key: key})
RETURN key, m.size AS size
