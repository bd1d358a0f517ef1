// Range index on Destination.id (webhook destinations); the uniqueness constraint on it is added by the store
// after this index exists.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:Destination) ON (n.id)
