// Test-only: the id of every Person node, retired ones too.
// mode: read
// params: none
// returns: id
MATCH (p:Person)
RETURN p.id AS id
