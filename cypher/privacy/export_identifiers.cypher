// A subject export: the identifiers the person owns or her records hold, with their times and flags.
// mode: read
// params: id
// returns: key, type, value, createdAt, lastSeenAt, blocked, shared, owned
MATCH (p:Person {id: $id})
WITH p, [(p)<-[:OF]-(:Record)-[:HAS]->(i:Identifier) | i] + [(p)<-[:OF]-(o:Identifier) | o] AS held
UNWIND held AS i
WITH DISTINCT p, i
RETURN i.key AS key, i.type AS type, i.value AS value, i.createdAt AS createdAt, i.lastSeenAt AS lastSeenAt,
       coalesce(i.blocked, false) AS blocked, coalesce(i.shared, false) AS shared, exists((i)-[:OF]->(p)) AS owned
