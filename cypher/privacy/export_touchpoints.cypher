// A subject export: every touchpoint done with any of the person's identifiers, with all it was done with.
// mode: read
// params: id
// returns: id, type, channel, occurredAt, source, amount, currency, properties, createdAt, identifiers
MATCH (:Person {id: $id})<-[:OF]-(:Identifier)<-[:BY]-(t:Touchpoint)
WITH DISTINCT t
RETURN t.id AS id, t.type AS type, t.channel AS channel, t.occurredAt AS occurredAt, t.source AS source,
       t.amount AS amount, t.currency AS currency, t.properties AS properties, t.createdAt AS createdAt,
       [(t)-[:BY]->(i:Identifier) | i.key] AS identifiers
