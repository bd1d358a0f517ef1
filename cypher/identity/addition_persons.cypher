// The persons a batch's new evidence records would join (graphcdp/identity/additions.py): the version the
// commit checks, the golden traits and the refused links, and every identifier she holds with its type and
// refusal counts (type limits and search text are decided over all of them).
// mode: read
// params: ids
// returns: id, version, traits, recordCount, rejections, retired, identifiers
UNWIND $ids AS id
MATCH (p:Person {id: id})
OPTIONAL MATCH (i:Identifier)-[:OF]->(p)
RETURN p.id AS id, p.version AS version, p.traits AS traits, coalesce(p.recordCount, 0) AS recordCount,
       coalesce(p.rejections, []) AS rejections, p.mergedInto IS NOT NULL OR coalesce(p.emptied, false) AS retired,
       collect(CASE WHEN i IS NULL THEN null ELSE [i.key, i.type, coalesce(i.rejections, 0), coalesce(i.shared, false)] END)
         AS identifiers
