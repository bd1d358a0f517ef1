// Removes a segment and its membership edges.
// mode: write
// params: key
// returns: removed
MATCH (s:Segment {key: $key})
WITH collect(s) AS gone
FOREACH (s IN gone | DETACH DELETE s)
RETURN size(gone) AS removed
