// Range index on Change.sequence (the feed is read by sequence ranges); the uniqueness constraint on it is
// added by the store after this index exists.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:Change) ON (n.sequence)
