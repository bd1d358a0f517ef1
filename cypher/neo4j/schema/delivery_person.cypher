// Range index on Delivery.personId: an erasure finds her deliveries through it.
// mode: write
// params: none
// returns: none
CREATE INDEX delivery_person IF NOT EXISTS FOR (n:Delivery) ON (n.personId)
