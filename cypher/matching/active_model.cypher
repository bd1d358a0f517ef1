// The matching model in force, if one was stored (trained, or set by an admin).
// mode: read
// params: none
// returns: version, model
MATCH (m:MatchModel)
WHERE m.active
RETURN m.version AS version, m.model AS model
ORDER BY version DESC
LIMIT 1
