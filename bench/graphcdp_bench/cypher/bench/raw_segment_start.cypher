// Segments benchmark baseline: the node a hand-written evaluation links its members to (a label of its own,
// so graphcdp never takes it for a segment).
// mode: write
// params: key, now
// returns: key
MERGE (s:RawSegment {key: $key})
SET s.createdAt = $now
RETURN s.key AS key
