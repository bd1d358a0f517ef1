// Ingest benchmark baseline: touchpoints and who did them (Touchpoint, Identifier, BY) by plain MERGE.
// mode: write
// params: touchpoints
// returns: written
UNWIND $touchpoints AS tp
MERGE (t:Touchpoint {id: tp.id})
SET t.type = tp.type, t.channel = tp.channel, t.occurredAt = tp.occurredAt, t.source = tp.source,
    t.amount = tp.amount, t.currency = tp.currency, t.properties = tp.properties
WITH t, tp
UNWIND tp.identifiers AS id
MERGE (i:Identifier {key: id.key})
ON CREATE SET i.type = id.type, i.value = id.value, i.blocked = id.blocked
MERGE (t)-[:BY]->(i)
RETURN count(*) AS written
