// The version of the matching model in force in the graph (null when none was stored): what a service
// process checks now and then to pick up a model another process trained or set.
// mode: read
// params: none
// returns: version
MATCH (m:MatchModel)
WHERE m.active
RETURN max(m.version) AS version
