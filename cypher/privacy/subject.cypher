// The subject of an erasure: the person an id leads to (a retired id leads to its survivor), every id
// retired into her, her records, and the identifiers her records hold or she owns, each with the number of
// records outside hers that hold it too (evidence another person also holds stays with that person).
// mode: read
// params: id
// returns: person, persons, records, identifiers
MATCH (asked:Person {id: $id})
OPTIONAL MATCH (asked)-[:MERGED_INTO*1..32]->(survivor:Person)
WHERE survivor.mergedInto IS NULL
WITH coalesce(survivor, asked) AS p
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
OPTIONAL MATCH (old:Person)-[:MERGED_INTO*1..32]->(p)
WITH p, collect(DISTINCT old.id) AS retired
WITH p, retired, [(p)<-[:OF]-(r:Record) | r.key] AS records
WITH p, retired, records,
     [(p)<-[:OF]-(:Record)-[:HAS]->(i:Identifier) | i] + [(p)<-[:OF]-(o:Identifier) | o] AS held
UNWIND (CASE WHEN size(held) = 0 THEN [null] ELSE held END) AS i
WITH DISTINCT p, retired, records, i
WITH p, retired, records, i,
     CASE WHEN i IS NULL THEN 0 ELSE size([(i)<-[:HAS]-(x:Record) WHERE NOT x.key IN records | x.key]) END AS others
RETURN p.id AS person, retired + [p.id] AS persons, records,
       collect(CASE WHEN i IS NULL THEN null
               ELSE {key: i.key, blocked: coalesce(i.blocked, false), others: others} END) AS identifiers
