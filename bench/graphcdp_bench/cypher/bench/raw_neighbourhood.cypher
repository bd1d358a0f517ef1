// Explorer benchmark baseline: the two-hop neighbourhood of an identifier that identityGraph(depth: 2)
// draws, in one statement: the records that observed it and their person, then every identifier and
// record of that person, with their keys. The database's floor for the same nodes, without the
// breadth-first walk, the node budget, the edges among the nodes, GraphQL or HTTP.
// mode: read
// params: key
// returns: records, persons, members
MATCH (i:Identifier {key: $key})<-[:HAS]-(r:Record)-[:OF]->(p:Person)
WITH collect(DISTINCT r.key) AS records, collect(DISTINCT p) AS persons
UNWIND persons AS p
RETURN records, collect(p.id) AS persons,
       [(p)<-[:OF]-(m) | coalesce(m.key, m.id)] AS members
