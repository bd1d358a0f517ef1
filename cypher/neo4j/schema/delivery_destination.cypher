// Range index on Delivery.destinationId: a destination's delivery log.
// mode: write
// params: none
// returns: none
CREATE INDEX delivery_destination IF NOT EXISTS FOR (n:Delivery) ON (n.destinationId)
