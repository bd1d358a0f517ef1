// The edges among the nodes of an identity graph: HAS and OF, and the match links between its records
// (MATCHED by a score or a reviewer, POSSIBLE_MATCH waiting for review, NOT_MATCHED refused by a reviewer).
// Walked from records and identifiers, whose degree over these edges is small, never from persons or
// identifiers' many records: each membership test stands after a WITH so that no planner turns it into an
// index scan of the far end and walks back from there (from a shared identifier, that is every record
// holding it, for every record asked).
// mode: read
// params: identifiers, records, persons
// returns: type, sourceKind, source, targetKind, target, at, provenance, score, rule, reviewed
UNWIND $records AS rk
MATCH (r:Record {key: rk})-[h:HAS]->(i:Identifier)
WITH r, h, i
WHERE i.key IN $identifiers
RETURN 'HAS' AS type, 'record' AS sourceKind, r.key AS source, 'identifier' AS targetKind, i.key AS target,
       h.at AS at, h.source AS provenance, null AS score, null AS rule, null AS reviewed
UNION ALL
UNWIND $records AS rk
MATCH (r:Record {key: rk})-[:OF]->(p:Person)
WITH r, p
WHERE p.id IN $persons
RETURN 'OF' AS type, 'record' AS sourceKind, r.key AS source, 'person' AS targetKind, p.id AS target,
       null AS at, null AS provenance, null AS score, null AS rule, null AS reviewed
UNION ALL
UNWIND $identifiers AS ik
MATCH (i:Identifier {key: ik})-[:OF]->(p:Person)
WITH i, p
WHERE p.id IN $persons
RETURN 'OF' AS type, 'identifier' AS sourceKind, i.key AS source, 'person' AS targetKind, p.id AS target,
       null AS at, null AS provenance, null AS score, null AS rule, null AS reviewed
UNION ALL
UNWIND $records AS rk
MATCH (r:Record {key: rk})-[m:MATCHED|POSSIBLE_MATCH|NOT_MATCHED]->(o:Record)
WITH r, m, o
WHERE o.key IN $records
RETURN type(m) AS type, 'record' AS sourceKind, r.key AS source, 'record' AS targetKind, o.key AS target,
       m.at AS at, null AS provenance, m.score AS score, m.rule AS rule, coalesce(m.reviewed, false) AS reviewed
