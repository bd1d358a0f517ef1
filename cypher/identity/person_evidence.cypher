// Every piece of linking evidence inside one person: which record observed which identifier, and when.
// mode: read
// params: id
// returns: record, source, sourceId, identifier, at
MATCH (p:Person {id: $id})<-[:OF]-(r:Record)-[h:HAS]->(i:Identifier)-[:OF]->(p)
RETURN r.key AS record, r.source AS source, r.sourceId AS sourceId, i.key AS identifier, h.at AS at
