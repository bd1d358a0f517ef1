// Takes the erased records out of their match keys (blocking and term keys, which hold trait values); a
// key no other record is filed under goes with them.
// mode: write
// params: records
// returns: removed
UNWIND $records AS key
MATCH (:Record {key: key})-[k:KEYED]->(mk:MatchKey)
SET mk.size = mk.size - 1
DELETE k
WITH DISTINCT mk
WITH mk WHERE mk.size <= 0
WITH collect(mk) AS empty
FOREACH (m IN empty | DETACH DELETE m)
RETURN size(empty) AS removed
