// Lifts the suppression of one identifier (its tombstone goes); no row when it was not suppressed.
// mode: write
// params: hash
// returns: hash
MATCH (t:Tombstone {hash: $hash})
WITH t, t.hash AS hash
DELETE t
RETURN hash
