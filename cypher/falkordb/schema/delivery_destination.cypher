// Range index on Delivery.destinationId: a destination's delivery log.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:Delivery) ON (n.destinationId)
