// Test-only: every live person with what resolution wrote on it and the records and identifiers it
// holds, to compare two graphs whatever their person ids are.
// mode: read
// params: none
// returns: records, identifiers, traits, name, search, recordCount
MATCH (p:Person)
WHERE p.mergedInto IS NULL AND NOT coalesce(p.emptied, false)
OPTIONAL MATCH (r:Record)-[:OF]->(p)
WITH p, collect(r.key) AS records
OPTIONAL MATCH (i:Identifier)-[:OF]->(p)
RETURN records, collect(i.key) AS identifiers, p.traits AS traits, p.name AS name, p.search AS search,
       p.recordCount AS recordCount
