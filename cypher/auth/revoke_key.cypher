// Revokes an API key by name (a second revocation keeps the first time); no row when no key has the name.
// mode: write
// params: name, now
// returns: name, revokedAt
MATCH (k:ApiKey {name: $name})
SET k.revokedAt = coalesce(k.revokedAt, $now)
RETURN k.name AS name, k.revokedAt AS revokedAt
