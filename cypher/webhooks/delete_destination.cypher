// Delete a destination and its delivery log (found by the indexed Delivery.destinationId).
// mode: write
// params: id
// returns: id, deliveries
MATCH (d:Destination {id: $id})
OPTIONAL MATCH (x:Delivery)
WHERE x.destinationId = $id
WITH d, collect(x) AS log
FOREACH (x IN log | DELETE x)
DELETE d
RETURN $id AS id, size(log) AS deliveries
