// Removes the erased records with their evidence edges (HAS, OF, KEYED).
// mode: write
// params: records
// returns: removed
UNWIND $records AS key
MATCH (r:Record {key: key})
WITH collect(r) AS gone
FOREACH (r IN gone | DETACH DELETE r)
RETURN size(gone) AS removed
