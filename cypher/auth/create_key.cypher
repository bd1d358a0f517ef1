// Stores a new API key (the SHA-256 of its secret, never the secret) unless a key of this name exists.
// created is false when the name was taken: the stored key keeps its hash.
// mode: write
// params: name, hash, scopes, now
// returns: name, created
MERGE (k:ApiKey {name: $name})
  ON CREATE SET k.hash = $hash, k.scopes = $scopes, k.createdAt = $now
RETURN k.name AS name, k.hash = $hash AS created
