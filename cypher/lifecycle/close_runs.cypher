// Removes runs: one that stops with its writes finished, or ended ones whose leftovers were repaired.
// mode: write
// params: ids
// returns: id
UNWIND $ids AS id
MATCH (r:ServiceRun {id: id})
DELETE r
RETURN id
