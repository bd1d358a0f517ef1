// When the next waiting delivery of a destination is due (null: none waits), so the dispatcher sleeps until then.
// mode: read
// params: destination
// returns: at
OPTIONAL MATCH (w:Delivery)
WHERE w.pendingFor = $destination
RETURN min(w.nextAttemptAt) AS at
