// A destination's delivery log, by sequence, after a cursor, of some statuses (all when `statuses` is empty).
// mode: read
// params: destination, statuses, after, limit
// returns: id, destinationId, sequence, personId, kind, status, attempts, createdAt, deadline, nextAttemptAt, lastAttemptAt, lastStatusCode, lastError, deliveredAt
MATCH (x:Delivery)
WHERE x.destinationId = $destination AND x.sequence > $after AND (size($statuses) = 0 OR x.status IN $statuses)
RETURN x.id AS id, x.destinationId AS destinationId, x.sequence AS sequence, x.personId AS personId,
       x.kind AS kind, x.status AS status, x.attempts AS attempts, x.createdAt AS createdAt, x.deadline AS deadline,
       x.nextAttemptAt AS nextAttemptAt, x.lastAttemptAt AS lastAttemptAt, x.lastStatusCode AS lastStatusCode,
       x.lastError AS lastError, x.deliveredAt AS deliveredAt
ORDER BY sequence
LIMIT $limit
