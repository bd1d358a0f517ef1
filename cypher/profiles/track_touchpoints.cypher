// Stores touchpoints and who did them, as observed ((Touchpoint)-[:BY]->(Identifier)); idempotent per
// id: a touchpoint that exists is left as it is. $batch marks what this call created. `facets` are the
// properties as `name=value` texts, what segment conditions look properties up by (graphcdp/model/facets.py).
// Who did each is known from its evidence (graphcdp/identity/evidence.py); profiles/touchpoint_persons looks
// up the others (looking every touchpoint's person up here doubled the statement's time).
// mode: write
// params: now, batch, touchpoints
// returns: index, id, created
UNWIND $touchpoints AS tp
MERGE (t:Touchpoint {id: tp.id})
ON CREATE SET t.type = tp.type, t.channel = tp.channel, t.occurredAt = tp.occurredAt, t.source = tp.source,
              t.amount = tp.amount, t.currency = tp.currency, t.properties = tp.properties, t.facets = tp.facets,
              t.createdAt = $now, t.batch = $batch
WITH t, tp, t.batch = $batch AS created
FOREACH (id IN CASE WHEN created THEN tp.identifiers ELSE [] END |
  MERGE (i:Identifier {key: id.key})
  ON CREATE SET i.type = id.type, i.value = id.value, i.createdAt = $now, i.blocked = id.blocked,
                i.shared = false, i.rejections = 0, i.lastSeenAt = tp.occurredAt
  MERGE (t)-[:BY]->(i)
)
RETURN tp.index AS index, t.id AS id, created
