// Every API key, revoked ones too, by name.
// mode: read
// params: none
// returns: name, hash, scopes, createdAt, revokedAt
MATCH (k:ApiKey)
RETURN k.name AS name, k.hash AS hash, k.scopes AS scopes, k.createdAt AS createdAt, k.revokedAt AS revokedAt
ORDER BY name
