// Range index on Tombstone.hash; the uniqueness constraint on it is added by the store after this index exists.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:Tombstone) ON (n.hash)
