// The segments each of these persons is a member of, and since when (a retired or emptied person has none).
// mode: read
// params: persons
// returns: person, key, name, since
UNWIND $persons AS wanted
MATCH (p:Person {id: wanted})-[m:IN]->(s:Segment)
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
RETURN p.id AS person, s.key AS key, s.name AS name, m.since AS since
ORDER BY person, key
