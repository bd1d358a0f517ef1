// Erasure: the delivery logs forget a person (her deliveries, found by the indexed Delivery.personId). The
// ERASED event the erasure appends afterwards is delivered like any other.
// mode: write
// params: persons
// returns: count
OPTIONAL MATCH (x:Delivery)
WHERE x.personId IN $persons
WITH collect(x) AS hers
FOREACH (x IN hers | DELETE x)
RETURN size(hers) AS count
