// The person of each stored touchpoint, through its identifiers, for the touchpoints whose evidence did not
// say (no linking identifier, or its resolution failed): the person of one of its identifiers, if any.
// mode: read
// params: ids
// returns: id, person
UNWIND $ids AS id
MATCH (t:Touchpoint {id: id})
RETURN t.id AS id, head([(t)-[:BY]->(:Identifier)-[:OF]->(p:Person) | p.id]) AS person
