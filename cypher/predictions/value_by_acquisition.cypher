// Customers grouped by the source (or channel) of their first touchpoint, first touched in [$from, $to): per group
// the persons, the customers (with an order), their orders and revenue, and each customer's purchase history
// in milliseconds, [repeat orders, first to last order, first order to $now, spent after the first order], which
// the prediction models turn into predicted value. The $limit largest groups.
// mode: read
// params: groupBy, from, to, order, now, limit
// returns: key, persons, customers, orders, revenue, histories
MATCH (p:Person)<-[:OF]-(:Identifier)<-[:BY]-(t:Touchpoint)
WHERE p.mergedInto IS NULL AND t.occurredAt IS NOT NULL
WITH p, collect(DISTINCT t) AS ts
WITH ts,
     reduce(f = null, t IN ts |
       CASE WHEN f IS NULL OR t.occurredAt < f.occurredAt OR (t.occurredAt = f.occurredAt AND t.id < f.id) THEN t
       ELSE f END) AS firstTouch
WHERE firstTouch.occurredAt >= $from AND firstTouch.occurredAt < $to
WITH CASE $groupBy WHEN 'CHANNEL' THEN firstTouch.channel ELSE firstTouch.source END AS key,
     [t IN ts WHERE t.type = $order] AS os
WITH key, os,
     reduce(f = null, t IN os | CASE WHEN f IS NULL OR t.occurredAt < f.occurredAt THEN t ELSE f END) AS firstOrder,
     reduce(m = null, t IN os | CASE WHEN m IS NULL OR t.occurredAt > m THEN t.occurredAt ELSE m END) AS lastAt,
     reduce(s = 0.0, t IN os | s + coalesce(toFloat(t.amount), 0.0)) AS spent
RETURN key,
       count(*) AS persons,
       sum(CASE WHEN firstOrder IS NULL THEN 0 ELSE 1 END) AS customers,
       sum(size(os)) AS orders,
       sum(spent) AS revenue,
       collect(CASE WHEN firstOrder IS NULL THEN null
               ELSE [size(os) - 1, lastAt - firstOrder.occurredAt, $now - firstOrder.occurredAt,
                     spent - coalesce(toFloat(firstOrder.amount), 0.0)] END) AS histories
ORDER BY customers DESC, persons DESC, key
LIMIT $limit
