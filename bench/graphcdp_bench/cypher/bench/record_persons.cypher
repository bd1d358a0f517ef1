// Every source record with the person graphcdp resolved it into (for the baseline and the quality score).
// mode: read
// params: none
// returns: record, person
MATCH (r:Record)-[:OF]->(p:Person)
WHERE NOT r.source STARTS WITH 'graphcdp.'
RETURN r.key AS record, p.id AS person
