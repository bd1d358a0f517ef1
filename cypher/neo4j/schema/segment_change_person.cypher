// SegmentChange.personId is indexed: an erasure finds her segment membership events through it.
// mode: write
// params: none
// returns: none
CREATE INDEX segment_change_person IF NOT EXISTS FOR (n:SegmentChange) ON (n.personId)
