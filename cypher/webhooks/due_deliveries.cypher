// The deliveries of a destination to send now: per person only the oldest waiting one (the next of hers waits
// until it is delivered or dead-lettered: in order per person), and only when its backoff is over.
// mode: read
// params: destination, now, limit
// returns: id, destinationId, sequence, personId, kind, status, attempts, createdAt, deadline, nextAttemptAt, lastAttemptAt, lastStatusCode, lastError, deliveredAt
MATCH (w:Delivery)
WHERE w.pendingFor = $destination
WITH w.personId AS person, min(w.sequence) AS head
MATCH (x:Delivery)
WHERE x.pendingFor = $destination AND x.personId = person AND x.sequence = head AND x.nextAttemptAt <= $now
RETURN x.id AS id, x.destinationId AS destinationId, x.sequence AS sequence, x.personId AS personId,
       x.kind AS kind, x.status AS status, x.attempts AS attempts, x.createdAt AS createdAt, x.deadline AS deadline,
       x.nextAttemptAt AS nextAttemptAt, x.lastAttemptAt AS lastAttemptAt, x.lastStatusCode AS lastStatusCode,
       x.lastError AS lastError, x.deliveredAt AS deliveredAt
ORDER BY sequence
LIMIT $limit
