// Test-only: overwrites a record's observedAt, as an older build (or a hand edit) may have stored it.
// mode: write
// params: key, at
// returns: key
MATCH (r:Record {key: $key})
SET r.observedAt = $at
RETURN r.key AS key
