// The identifiers of a batch's new evidence records, for resolving the records that only add to one person
// (graphcdp/identity/additions.py): each with its person, its refusal counts, how many records hold it, and
// the holders that are not plainly its person's (without a person, of another person, or detached), with
// that record's person ("" for none) and whether it is detached. Returning every holder made the answer
// grow with the evidence a person has gathered.
// mode: read
// params: keys
// returns: key, type, blocked, shared, rejections, person, degree, holders
UNWIND $keys AS k
MATCH (i:Identifier {key: k})
OPTIONAL MATCH (i)-[:OF]->(p:Person)
WITH i, coalesce(p.id, '') AS person
OPTIONAL MATCH (i)<-[:HAS]-(r:Record)
OPTIONAL MATCH (r)-[:OF]->(rp:Person)
WITH i, person, r, coalesce(rp.id, '') AS holderPerson
RETURN i.key AS key, i.type AS type, i.blocked AS blocked, i.shared AS shared, coalesce(i.rejections, 0) AS rejections,
       CASE WHEN person = '' THEN null ELSE person END AS person, count(r) AS degree,
       collect(CASE WHEN r IS NULL OR (holderPerson <> '' AND holderPerson = person AND NOT coalesce(r.detached, false))
               THEN null ELSE [r.key, holderPerson, coalesce(r.detached, false)] END) AS holders
