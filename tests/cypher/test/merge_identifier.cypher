// Test-only: creates (or finds) an identifier and returns it whole.
// mode: write
// params: key, type
// returns: identifier
MERGE (i:Identifier {key: $key})
ON CREATE SET i.type = $type, i.createdAt = timestamp()
RETURN i AS identifier
