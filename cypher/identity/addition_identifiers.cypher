// The identifiers of a batch's new evidence records, for resolving the records that only add to one person
// (graphcdp/identity/additions.py): each with its person, its refusal counts, how many records hold it, and
// the holders that are not plainly its person's (without a person, of another person, or detached), with
// that record's person ("" for none) and whether it is detached. Returning every holder made the answer
// grow with the evidence a person has gathered. For the types in $shareable (limit above 1, with matching on) it also
// returns the holders whose traits may give a first name ([key, traits]): whether a record naming no one may follow
// such an identifier depends on whom they name (a household's email, a family's address: clustering's shared check).
// mode: read
// params: keys, shareable
// returns: key, type, blocked, shared, rejections, person, degree, holders, named
UNWIND $keys AS k
MATCH (i:Identifier {key: k})
OPTIONAL MATCH (i)-[:OF]->(p:Person)
WITH i, coalesce(p.id, '') AS person
OPTIONAL MATCH (i)<-[:HAS]-(r:Record)
OPTIONAL MATCH (r)-[:OF]->(rp:Person)
WITH i, person, r, coalesce(rp.id, '') AS holderPerson, i.type IN $shareable AS shareable
RETURN i.key AS key, i.type AS type, i.blocked AS blocked, i.shared AS shared, coalesce(i.rejections, 0) AS rejections,
       CASE WHEN person = '' THEN null ELSE person END AS person, count(r) AS degree,
       collect(CASE WHEN r IS NULL OR (holderPerson <> '' AND holderPerson = person AND NOT coalesce(r.detached, false))
               THEN null ELSE [r.key, holderPerson, coalesce(r.detached, false)] END) AS holders,
       collect(CASE WHEN shareable AND r.traits CONTAINS '"firstName"' THEN [r.key, r.traits] ELSE null END) AS named
