// Stores the facets of touchpoints' properties (a touchpoint never changes once stored).
// mode: write
// params: touchpoints
// returns: id
UNWIND $touchpoints AS x
MATCH (t:Touchpoint {id: x.id})
SET t.facets = x.facets
RETURN t.id AS id
