// Identifiers of an evidence component, with the records that hold them and their current person.
// OPTIONAL MATCH + collect, not a pattern comprehension: on FalkorDB it is about twice as fast per key.
// mode: read
// params: keys
// returns: key, type, blocked, shared, records, person, personCreatedAt, personRejections
UNWIND $keys AS k
MATCH (i:Identifier {key: k})
OPTIONAL MATCH (i)<-[:HAS]-(r:Record)
WITH i, collect(r.key) AS records
OPTIONAL MATCH (i)-[:OF]->(p:Person)
RETURN i.key AS key, i.type AS type, i.blocked AS blocked, i.shared AS shared, records,
       p.id AS person, p.createdAt AS personCreatedAt, p.rejections AS personRejections
