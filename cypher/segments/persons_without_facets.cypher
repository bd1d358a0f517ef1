// Persons stored before segments existed, whose golden traits have no facets yet: a page by id.
// mode: read
// params: after, limit
// returns: id, traits
MATCH (p:Person)
WHERE p.id > $after AND p.traitFacets IS NULL
RETURN p.id AS id, p.traits AS traits
ORDER BY id
LIMIT $limit
