// Removes the erased identifiers, unless a record still holds one (written since the subject was read).
// mode: write
// params: identifiers
// returns: removed
UNWIND $identifiers AS key
MATCH (i:Identifier {key: key})
WITH i, size([(i)<-[:HAS]-(r:Record) | r.key]) AS holders
WITH i WHERE holders = 0
WITH collect(i) AS gone
FOREACH (i IN gone | DETACH DELETE i)
RETURN size(gone) AS removed
