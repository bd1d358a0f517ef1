// Retention of the delivery logs: deliveries no longer waiting, created before `before`, at most `limit`.
// mode: write
// params: before, limit
// returns: count
OPTIONAL MATCH (x:Delivery)
WHERE x.createdAt < $before AND x.pendingFor IS NULL
WITH x
LIMIT $limit
WITH collect(x) AS old
FOREACH (x IN old | DELETE x)
RETURN size(old) AS count
