// One hop of an evidence component in one round trip: the records asked for and every record of the persons
// asked for (with each identifier it holds, its probabilistic links, the records a reviewer said are someone
// else, and its person), the identifiers those records hold, the persons own and the caller asks for (with
// the records that hold them and their person), and the persons asked for (golden traits, creation time and
// refused links: once per person, not on every row of her records and identifiers). Records and identifiers the
// caller has read ($knownRecords, $known) are not read again. Four rows: records, the identifiers of the
// records, the persons' identifiers, the persons.
// OPTIONAL MATCH + collect, not a pattern comprehension: on FalkorDB it is about twice as fast per key.
// mode: read
// params: records, identifiers, persons, knownRecords, known
// returns: records, identifiers, persons
UNWIND $persons + [''] AS id
OPTIONAL MATCH (owner:Person {id: id})
OPTIONAL MATCH (owner)<-[:OF]-(member:Record)
WITH collect(member.key) + $records AS keys
UNWIND keys AS k
WITH DISTINCT k
WHERE NOT k IN $knownRecords
MATCH (r:Record {key: k})
OPTIONAL MATCH (r)-[:HAS]->(i:Identifier)
WITH r, collect(CASE WHEN i IS NULL THEN null ELSE [i.key, i.blocked] END) AS held
OPTIONAL MATCH (r)-[m:MATCHED]-(o:Record)
WITH r, held, collect(CASE WHEN o IS NULL THEN null ELSE [o.key, m.score, m.reviewed, m.rule] END) AS matched
OPTIONAL MATCH (r)-[:NOT_MATCHED]-(x:Record)
WITH r, held, matched, collect(x.key) AS cannot
OPTIONAL MATCH (r)-[:OF]->(p:Person)
RETURN collect({key: r.key, source: r.source, observedAt: r.observedAt, traits: r.traits, detached: r.detached,
                version: r.version, contentHash: r.contentHash, held: held, matched: matched, cannot: cannot,
                person: p.id}) AS records,
       [] AS identifiers, [] AS persons
UNION ALL
UNWIND $persons + [''] AS id
OPTIONAL MATCH (owner:Person {id: id})
OPTIONAL MATCH (owner)<-[:OF]-(member:Record)
WITH collect(member.key) + $records AS keys
UNWIND keys AS k
WITH DISTINCT k
WHERE NOT k IN $knownRecords
MATCH (held:Record {key: k})
OPTIONAL MATCH (held)-[:HAS]->(h:Identifier)
WHERE NOT h.blocked
WITH collect(DISTINCT h.key) AS linking
UNWIND linking + $identifiers AS ik
WITH DISTINCT ik
WHERE NOT ik IN $known
MATCH (i:Identifier {key: ik})
OPTIONAL MATCH (i)<-[:HAS]-(ir:Record)
WITH i, collect(ir.key) AS records
OPTIONAL MATCH (i)-[:OF]->(ip:Person)
RETURN [] AS records,
       collect({key: i.key, type: i.type, blocked: i.blocked, shared: i.shared, records: records, person: ip.id})
         AS identifiers,
       [] AS persons
UNION ALL
// The persons' own identifiers apart: joined to the list above, that list was a grouping key of the persons'
// aggregation and cost a comparison of the whole list per person (GRAPH.PROFILE: 3.9 s of a 6 s hop). Only those
// the branch above does not read: blocked, or held by no member of the person read in this hop (most are, and
// returning them twice made the answer a third larger). The caller takes each identifier once.
UNWIND $persons AS id
MATCH (owner:Person {id: id})<-[:OF]-(owned:Identifier)
WITH owner, owned
WHERE NOT owned.key IN $known
OPTIONAL MATCH (owned)<-[:HAS]-(holder:Record)
OPTIONAL MATCH (holder)-[member:OF]->(owner)
WITH owned AS i, count(CASE WHEN member IS NOT NULL AND NOT holder.key IN $knownRecords THEN 1 END) AS readAbove
WHERE readAbove = 0 OR i.blocked
OPTIONAL MATCH (i)<-[:HAS]-(ir:Record)
WITH i, collect(ir.key) AS records
OPTIONAL MATCH (i)-[:OF]->(ip:Person)
RETURN [] AS records,
       collect({key: i.key, type: i.type, blocked: i.blocked, shared: i.shared, records: records, person: ip.id})
         AS identifiers,
       [] AS persons
UNION ALL
UNWIND $persons AS id
MATCH (p:Person {id: id})
RETURN [] AS records, [] AS identifiers,
       collect({id: p.id, traits: p.traits, createdAt: p.createdAt, rejections: p.rejections}) AS persons
