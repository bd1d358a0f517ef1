// Range index on MatchKey.key; the uniqueness constraint on it is added by the store after this index exists.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:MatchKey) ON (n.key)
