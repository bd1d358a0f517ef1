// Range index on Touchpoint.id; the uniqueness constraint on it is added by the store after this index exists.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:Touchpoint) ON (n.id)
