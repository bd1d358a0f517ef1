// The persons graphcdp resolved some records into (the raw side of the ingest benchmark writes them beside
// each batch, right after graphcdp's).
// mode: read
// params: keys
// returns: record, person
UNWIND $keys AS k
MATCH (r:Record {key: k})-[:OF]->(p:Person)
RETURN r.key AS record, p.id AS person
