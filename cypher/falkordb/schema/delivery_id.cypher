// Range index on Delivery.id (webhook deliveries); the uniqueness constraint on it is added by the store after
// this index exists.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:Delivery) ON (n.id)
