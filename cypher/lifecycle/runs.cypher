// Every run of graphcdp recorded on this graph: the live ones, and those whose process ended without closing;
// when each last said it was alive (epoch ms, by its own host's clock).
// mode: read
// params: none
// returns: id, host, pid, process, beat, unfinished
MATCH (r:ServiceRun)
RETURN r.id AS id, r.host AS host, r.pid AS pid, r.process AS process, r.beat AS beat, r.unfinished AS unfinished
ORDER BY id
