// Range index on SegmentChange.sequence: segment membership events are read by sequence ranges, like Change.
// No uniqueness constraint: on FalkorDB checking one on an integer costs about 60 µs per event, which a segment
// of many members pays per member; the sequence comes from the feed's counter node, which the statement holds.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:SegmentChange) ON (n.sequence)
