// Identifiers of an evidence component, with the records that hold them and their current person.
// mode: read
// params: keys
// returns: key, type, blocked, shared, records, person, personCreatedAt, personRejections
UNWIND $keys AS k
MATCH (i:Identifier {key: k})
OPTIONAL MATCH (i)-[:OF]->(p:Person)
RETURN i.key AS key, i.type AS type, i.blocked AS blocked, i.shared AS shared,
       [(i)<-[:HAS]-(r:Record) | r.key] AS records,
       p.id AS person, p.createdAt AS personCreatedAt, p.rejections AS personRejections
