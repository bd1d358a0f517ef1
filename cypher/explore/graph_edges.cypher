// The HAS and OF edges among the nodes of an identity graph. Walked from records and identifiers,
// whose degree over these edges is small, never from persons or identifiers' many records.
// mode: read
// params: identifiers, records, persons
// returns: type, sourceKind, source, targetKind, target, at, provenance
UNWIND $records AS rk
MATCH (r:Record {key: rk})-[h:HAS]->(i:Identifier)
WHERE i.key IN $identifiers
RETURN 'HAS' AS type, 'record' AS sourceKind, r.key AS source, 'identifier' AS targetKind, i.key AS target,
       h.at AS at, h.source AS provenance
UNION ALL
UNWIND $records AS rk
MATCH (r:Record {key: rk})-[:OF]->(p:Person)
WHERE p.id IN $persons
RETURN 'OF' AS type, 'record' AS sourceKind, r.key AS source, 'person' AS targetKind, p.id AS target,
       null AS at, null AS provenance
UNION ALL
UNWIND $identifiers AS ik
MATCH (i:Identifier {key: ik})-[:OF]->(p:Person)
WHERE p.id IN $persons
RETURN 'OF' AS type, 'identifier' AS sourceKind, i.key AS source, 'person' AS targetKind, p.id AS target,
       null AS at, null AS provenance
