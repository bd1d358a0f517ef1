// Test-only: what resolution decided beyond membership, per live person, to compare two graphs whatever their
// person ids are: the links it refused (household conflicts, type limits) and the records it holds.
// mode: read
// params: none
// returns: records, rejections
MATCH (p:Person)
WHERE p.mergedInto IS NULL AND NOT coalesce(p.emptied, false)
OPTIONAL MATCH (r:Record)-[:OF]->(p)
RETURN collect(r.key) AS records, coalesce(p.rejections, []) AS rejections
