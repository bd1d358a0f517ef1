// Test-only: the members of a segment and since when, by person id.
// mode: read
// params: key
// returns: person, since
MATCH (p:Person)-[e:IN]->(:Segment {key: $key})
RETURN p.id AS person, e.since AS since
ORDER BY person
