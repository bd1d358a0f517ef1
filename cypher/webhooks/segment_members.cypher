// Which of these persons are members of one of these segments now (a retired id answers for her survivor).
// mode: read
// params: persons, segments
// returns: person
UNWIND $persons AS pid
MATCH (:Person {id: pid})-[:MERGED_INTO*0..]->(p:Person)-[:IN]->(s:Segment)
WHERE p.mergedInto IS NULL AND s.key IN $segments
RETURN DISTINCT pid AS person
