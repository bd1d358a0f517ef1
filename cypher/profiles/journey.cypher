// One page of the journeys of several persons (a DataLoader batch): their touchpoints through any of
// their identifiers, newest first, filtered, after a keyset cursor (beforeAt, beforeId). A touchpoint
// reached through two identifiers of the person appears once, with both in `via`. The person is
// matched in a clause of its own so that FalkorDB starts from her index, not from the touchpoint filters.
// mode: read
// params: requests
// returns: key, total, page
UNWIND $requests AS req
MATCH (p:Person {id: req.person})
WITH req, p
MATCH (p)<-[:OF]-(i:Identifier)<-[:BY]-(t:Touchpoint)
WHERE (size(req.types) = 0 OR t.type IN req.types)
  AND (size(req.channels) = 0 OR t.channel IN req.channels)
  AND t.occurredAt >= req.from AND t.occurredAt <= req.to
WITH req, t, collect(i.key) AS via
ORDER BY t.occurredAt DESC, t.id DESC
WITH req, count(t) AS total,
     collect(CASE WHEN t.occurredAt < req.beforeAt OR (t.occurredAt = req.beforeAt AND t.id < req.beforeId)
             THEN {id: t.id, type: t.type, channel: t.channel, occurredAt: t.occurredAt, source: t.source,
                   amount: t.amount, currency: t.currency, properties: t.properties, via: via}
             END) AS after
RETURN req.key AS key, total, after[0..req.limit] AS page
