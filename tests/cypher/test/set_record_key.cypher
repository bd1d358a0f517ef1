// Test-only: overwrites a record's key, as an older build stored it (`source:sourceId` unescaped).
// mode: write
// params: key, old
// returns: key
MATCH (r:Record {key: $key})
SET r.key = $old
RETURN r.key AS key
