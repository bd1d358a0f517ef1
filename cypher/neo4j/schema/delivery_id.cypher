// Delivery.id is unique (and indexed): webhook deliveries.
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT delivery_id_unique IF NOT EXISTS FOR (n:Delivery) REQUIRE n.id IS UNIQUE
