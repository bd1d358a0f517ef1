// Records a run of graphcdp that writes to this graph (graphcdp/lifecycle/runs.py): which process on which host,
// and when it was last seen alive ($now, the process's clock: a write calling timestamp() would reach the
// append-only file as FalkorDB's "effects", whose replay is not safe, docs/embedded-database.md). Also each beat:
// a run removed meanwhile (a graph emptied under a running service) is recorded again; `unfinished` says a write
// of this run was cut short after storing records.
// mode: write
// params: id, host, pid, process, now, unfinished
// returns: id
MERGE (r:ServiceRun {id: $id})
ON CREATE SET r.host = $host, r.pid = $pid, r.process = $process, r.startedAt = $now
SET r.beat = $now, r.unfinished = $unfinished
RETURN r.id AS id
