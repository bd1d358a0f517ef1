// Every touchpoint of several persons as [occurredAt, type, amount]: the input of their metrics.
// mode: read
// params: persons
// returns: person, events
UNWIND $persons AS pid
MATCH (:Person {id: pid})<-[:OF]-(:Identifier)<-[:BY]-(t:Touchpoint)
WITH DISTINCT pid, t
RETURN pid AS person, collect([t.occurredAt, t.type, t.amount]) AS events
