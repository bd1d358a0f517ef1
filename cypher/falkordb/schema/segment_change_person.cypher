// Range index on SegmentChange.personId: an erasure finds her segment membership events through it.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:SegmentChange) ON (n.personId)
