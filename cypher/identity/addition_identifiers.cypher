// The identifiers of a batch's new evidence records, for resolving the records that only add to one person
// (graphcdp/identity/additions.py): each with its person, its refusal counts and every record that holds it,
// with that record's person ("" for none) and whether it is detached.
// mode: read
// params: keys
// returns: key, type, blocked, shared, rejections, person, holders
UNWIND $keys AS k
MATCH (i:Identifier {key: k})
OPTIONAL MATCH (i)<-[:HAS]-(r:Record)
OPTIONAL MATCH (r)-[:OF]->(rp:Person)
WITH i, collect(CASE WHEN r IS NULL THEN null ELSE [r.key, coalesce(rp.id, ''), coalesce(r.detached, false)] END) AS holders
OPTIONAL MATCH (i)-[:OF]->(p:Person)
RETURN i.key AS key, i.type AS type, i.blocked AS blocked, i.shared AS shared, coalesce(i.rejections, 0) AS rejections,
       p.id AS person, holders
