// What sending a batch of deliveries gave: each one's new status, attempts, next attempt and last error.
// A delivery no longer waiting (its destination deleted meanwhile) is left alone. One whose event left the feed
// (`gone`: retention, or an erasure that raced the hand-over) forgets whom it was about.
// mode: write
// params: outcomes, now
// returns: count
UNWIND $outcomes AS o
MATCH (x:Delivery {id: o.id})
WHERE x.status = 'PENDING'
SET x.status = o.status,
    x.pendingFor = CASE WHEN o.status = 'PENDING' THEN x.destinationId ELSE null END,
    x.attempts = x.attempts + o.attempted,
    x.nextAttemptAt = o.nextAttemptAt,
    x.lastAttemptAt = CASE WHEN o.attempted > 0 THEN $now ELSE x.lastAttemptAt END,
    x.lastStatusCode = o.statusCode,
    x.lastError = o.error,
    x.deliveredAt = CASE WHEN o.status = 'DELIVERED' THEN $now ELSE null END,
    x.personId = CASE WHEN o.gone THEN 'erased' ELSE x.personId END
RETURN count(x) AS count
