// Test-only: creates an identifier without MERGE, to prove the uniqueness constraint.
// mode: write
// params: key
// returns: key
CREATE (i:Identifier {key: $key})
RETURN i.key AS key
