// Send a delivery again (a dead letter, or one delivered or suppressed before): it waits again, with a new
// retry window. One already waiting is left as it is.
// mode: write
// params: id, now, deadline
// returns: id, destinationId, sequence, personId, kind, status, attempts, createdAt, deadline, nextAttemptAt, lastAttemptAt, lastStatusCode, lastError, deliveredAt
MATCH (x:Delivery {id: $id})
SET x.deadline = CASE WHEN x.status = 'PENDING' THEN x.deadline ELSE $deadline END,
    x.nextAttemptAt = CASE WHEN x.status = 'PENDING' THEN x.nextAttemptAt ELSE $now END,
    x.pendingFor = x.destinationId,
    x.status = 'PENDING'
RETURN x.id AS id, x.destinationId AS destinationId, x.sequence AS sequence, x.personId AS personId,
       x.kind AS kind, x.status AS status, x.attempts AS attempts, x.createdAt AS createdAt, x.deadline AS deadline,
       x.nextAttemptAt AS nextAttemptAt, x.lastAttemptAt AS lastAttemptAt, x.lastStatusCode AS lastStatusCode,
       x.lastError AS lastError, x.deliveredAt AS deliveredAt
