// One hop of an evidence component in one round trip: the records asked for (as identity/component_records
// reads them) and the identifiers they hold that are not known yet, with the identifiers asked for (as
// identity/component_identifiers reads them). Two rows: the records' and the identifiers'.
// $known: identifier keys the caller has read already (not read again).
// mode: read
// params: records, identifiers, known
// returns: records, identifiers
UNWIND $records AS k
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
                person: p.id, personCreatedAt: p.createdAt, personRejections: p.rejections}) AS records,
       [] AS identifiers
UNION ALL
UNWIND $records AS k
MATCH (held:Record {key: k})
OPTIONAL MATCH (held)-[:HAS]->(h:Identifier)
WHERE NOT h.blocked
WITH collect(DISTINCT h.key) + $identifiers AS wanted
UNWIND wanted AS ik
WITH DISTINCT ik
WHERE NOT ik IN $known
MATCH (i:Identifier {key: ik})
OPTIONAL MATCH (i)<-[:HAS]-(ir:Record)
WITH i, collect(ir.key) AS records
OPTIONAL MATCH (i)-[:OF]->(ip:Person)
RETURN [] AS records,
       collect({key: i.key, type: i.type, blocked: i.blocked, shared: i.shared, records: records, person: ip.id,
                personCreatedAt: ip.createdAt, personRejections: ip.rejections}) AS identifiers
