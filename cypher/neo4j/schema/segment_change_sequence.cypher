// SegmentChange.sequence is indexed (segment membership events are read by sequence ranges, like Change); its
// numbers come from the feed's counter node, which the statement writing them holds.
// mode: write
// params: none
// returns: none
CREATE INDEX segment_change_sequence IF NOT EXISTS FOR (n:SegmentChange) ON (n.sequence)
