// Every consent statement given through any identifier of several persons (a DataLoader batch).
// mode: read
// params: persons
// returns: person, statements
UNWIND $persons AS pid
MATCH (:Person {id: pid})<-[:OF]-(i:Identifier)<-[:FOR]-(c:Consent)
RETURN pid AS person,
       collect({id: c.id, identifier: i.key, purpose: c.purpose, channel: c.channel, status: c.status, at: c.at,
                source: c.source, recordedAt: c.recordedAt}) AS statements
