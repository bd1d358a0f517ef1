// Test-only: every identifier key, sorted.
// mode: read
// params: none
// returns: key
MATCH (i:Identifier)
RETURN i.key AS key
ORDER BY key
