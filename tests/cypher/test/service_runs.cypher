// Test-only: the runs of graphcdp recorded on the graph.
// mode: read
// params: none
// returns: id, pid, unfinished
MATCH (r:ServiceRun)
RETURN r.id AS id, r.pid AS pid, r.unfinished AS unfinished
ORDER BY id
