// Range index on ChangeFeed.id (the feed's one counter node); the uniqueness constraint on it is added by the
// store after this index exists.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:ChangeFeed) ON (n.id)
