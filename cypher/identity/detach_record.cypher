// Marks a record detached: it keeps its evidence but no longer links; the caller re-clusters.
// mode: write
// params: key, now
// returns: key
MATCH (r:Record {key: $key})
SET r.detached = true, r.version = r.version + 1, r.updatedAt = $now
RETURN r.key AS key
