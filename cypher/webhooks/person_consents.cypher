// Every consent statement of several persons as they are now: a retired id answers for the person it was
// merged into (an event names the person as she was when it was written). No row for an unknown person.
// mode: read
// params: persons
// returns: person, statements
UNWIND $persons AS pid
MATCH (:Person {id: pid})-[:MERGED_INTO*0..]->(p:Person)
WHERE p.mergedInto IS NULL
OPTIONAL MATCH (p)<-[:OF]-(i:Identifier)<-[:FOR]-(c:Consent)
WITH pid, [x IN collect({id: c.id, identifier: i.key, purpose: c.purpose, channel: c.channel, status: c.status,
                         at: c.at, source: c.source, recordedAt: c.recordedAt}) WHERE x.id IS NOT NULL] AS statements
RETURN pid AS person, statements
