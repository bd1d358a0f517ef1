// Records start-up migrations as done, so that later starts skip their scans of the whole graph.
// mode: write
// params: names, now
// returns: name
UNWIND $names AS name
MERGE (m:Migration {name: name})
ON CREATE SET m.doneAt = $now
RETURN m.name AS name
