// Test-only: bare Segment nodes, as the segment service (not part of these tests) would store them.
// mode: write
// params: keys
// returns: key
UNWIND $keys AS key
CREATE (s:Segment {key: key})
RETURN s.key AS key
