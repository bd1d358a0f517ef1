// Removes every consent statement given through an erased identifier (the whole history of each).
// mode: write
// params: identifiers
// returns: removed
UNWIND $identifiers AS key
MATCH (:Identifier {key: key})<-[:FOR]-(c:Consent)
WITH DISTINCT c
WITH collect(c) AS gone
FOREACH (c IN gone | DETACH DELETE c)
RETURN size(gone) AS removed
