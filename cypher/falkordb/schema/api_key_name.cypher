// Range index on ApiKey.name; the uniqueness constraint on it is added by the store after this index exists.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:ApiKey) ON (n.name)
