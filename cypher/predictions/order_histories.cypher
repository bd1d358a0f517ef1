// A page of persons (by id, after $after) with their orders as [occurredAt, amount]: what the prediction models
// are fitted on. A person without an order comes with an empty list, so paging goes on past her.
// mode: read
// params: after, limit, order
// returns: person, orders
MATCH (p:Person)
WHERE p.id > $after AND p.mergedInto IS NULL
WITH p
ORDER BY p.id
LIMIT $limit
OPTIONAL MATCH (p)<-[:OF]-(:Identifier)<-[:BY]-(t:Touchpoint)
WHERE t.type = $order
WITH p, collect(DISTINCT t) AS orders
RETURN p.id AS person, [t IN orders | [t.occurredAt, t.amount]] AS orders
ORDER BY person
