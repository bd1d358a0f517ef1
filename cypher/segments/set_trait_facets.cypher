// Stores the facets of persons' golden traits, unless the traits changed since they were read (a commit in
// between wrote its own facets).
// mode: write
// params: persons
// returns: id
UNWIND $persons AS x
MATCH (p:Person {id: x.id})
WHERE p.traits = x.traits
SET p.traitFacets = x.facets
RETURN p.id AS id
