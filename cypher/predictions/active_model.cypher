// The prediction model in force, if one was fitted (graphcdp predict train).
// mode: read
// params: none
// returns: version, model
MATCH (m:PredictionModel)
WHERE m.active
RETURN m.version AS version, m.model AS model
ORDER BY version DESC
LIMIT 1
