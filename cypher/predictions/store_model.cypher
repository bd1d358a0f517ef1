// Stores a fitted prediction model (BG/NBD and Gamma-Gamma, JSON) as the next version and makes it the active one.
// mode: write
// params: model, now
// returns: version
OPTIONAL MATCH (old:PredictionModel)
WITH coalesce(max(old.version), 0) + 1 AS version, collect(old) AS models
FOREACH (m IN models | SET m.active = false)
CREATE (:PredictionModel {version: version, model: $model, createdAt: $now, active: true})
RETURN version
