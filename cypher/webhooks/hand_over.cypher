// Hand events of the feed over to a destination: its deliveries are created and its position moves to `to`,
// in one statement, so after a crash every event up to the position has its delivery and none after it does.
// Only from the position the caller read (another process, or a pause, may have moved it meanwhile: no row).
// `pendingFor` is set while a delivery waits: the index on it finds the waiting ones without the others.
// mode: write
// params: destination, from, to, deliveries, now, deadline
// returns: position
MATCH (d:Destination {id: $destination})
WHERE d.position = $from AND d.status = 'ACTIVE'
SET d.position = $to
FOREACH (x IN $deliveries |
  CREATE (:Delivery {id: x.id, destinationId: $destination, pendingFor: $destination, sequence: x.sequence,
                     personId: x.personId, kind: x.kind, status: 'PENDING', attempts: 0, createdAt: $now,
                     deadline: $deadline, nextAttemptAt: $now})
)
RETURN d.position AS position
