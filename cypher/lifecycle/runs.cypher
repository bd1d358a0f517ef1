// Every run of graphcdp recorded on this graph: the live ones, and those whose process ended without closing;
// how long since each last said it was alive, by the database's clock.
// mode: read
// params: none
// returns: id, host, pid, process, silentMs, unfinished
MATCH (r:ServiceRun)
RETURN r.id AS id, r.host AS host, r.pid AS pid, r.process AS process, timestamp() - r.beat AS silentMs,
       r.unfinished AS unfinished
ORDER BY id
