// The commonest paths to a first order: per person the types of her first $maxSteps touchpoints before her first
// order (of all of them if she never ordered), grouped; per path the persons who took it and those who then
// ordered. Paths by converted persons, then persons; the first $first.
// mode: read
// params: order, maxSteps, first
// returns: path, steps, persons, converted
MATCH (p:Person)<-[:OF]-(:Identifier)<-[:BY]-(t:Touchpoint)
WHERE p.mergedInto IS NULL AND t.occurredAt IS NOT NULL
WITH DISTINCT p, t
ORDER BY t.occurredAt, t.id
WITH p, collect(t) AS ts
WITH ts, [i IN range(0, size(ts) - 1) WHERE ts[i].type = $order] AS orderAt
WITH CASE WHEN size(orderAt) = 0 THEN ts ELSE ts[0..orderAt[0]] END AS before, size(orderAt) > 0 AS bought
WITH [t IN before[0..$maxSteps] | t.type] AS steps, bought
WITH reduce(s = '', x IN steps | s + x + ' > ') AS path, steps, bought
RETURN path, steps, count(*) AS persons, sum(CASE WHEN bought THEN 1 ELSE 0 END) AS converted
ORDER BY converted DESC, persons DESC, path
LIMIT $first
