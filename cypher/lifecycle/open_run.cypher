// Records a run of graphcdp that writes to this graph (graphcdp/lifecycle/runs.py): which process on which host,
// and when it was last seen alive, by the database's clock (hosts' clocks may disagree). Also each beat: a run
// removed meanwhile (a graph emptied under a running service) is recorded again; `unfinished` says a write of
// this run was cut short after storing records. `$silentMs` backdates the beat (tests and benchmarks: a run
// that stopped beating that long ago); 0 otherwise.
// mode: write
// params: id, host, pid, process, silentMs, unfinished
// returns: id
MERGE (r:ServiceRun {id: $id})
ON CREATE SET r.host = $host, r.pid = $pid, r.process = $process, r.startedAt = timestamp()
SET r.beat = timestamp() - $silentMs, r.unfinished = $unfinished
RETURN r.id AS id
