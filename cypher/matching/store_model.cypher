// Stores a matching model as the next version and makes it the active one.
// mode: write
// params: name, model, fingerprint, now
// returns: version
OPTIONAL MATCH (old:MatchModel)
WITH coalesce(max(old.version), 0) + 1 AS version, collect(old) AS models
FOREACH (m IN models | SET m.active = false)
CREATE (n:MatchModel {version: version, name: $name, model: $model, fingerprint: $fingerprint, createdAt: $now,
                      active: true})
RETURN version
