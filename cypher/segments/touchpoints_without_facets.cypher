// Touchpoints stored before segments existed, whose properties have no facets yet: a page by id.
// mode: read
// params: after, limit
// returns: id, properties
MATCH (t:Touchpoint)
WHERE t.id > $after AND t.facets IS NULL
RETURN t.id AS id, t.properties AS properties
ORDER BY id
LIMIT $limit
