// SegmentChanges.last is indexed: a batch of segment membership events (sequences `sequence` to `last`) is found
// by the first sequence a reader wants, which lies at or before its `last`.
// mode: write
// params: none
// returns: none
CREATE INDEX segment_changes_last IF NOT EXISTS FOR (n:SegmentChanges) ON (n.last)
