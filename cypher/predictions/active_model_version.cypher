// The version of the prediction model in force (null when none was fitted): what every service process checks
// now and then to pick up a model another process fitted.
// mode: read
// params: none
// returns: version
MATCH (m:PredictionModel)
WHERE m.active
RETURN max(m.version) AS version
