// Context benchmark baseline: what `context(identifier, touchpoints)` answers, read in one statement
// from the identifier's key: the person, her golden traits, identifiers and consent statements, her
// order count, revenue and last activity, and her latest $limit touchpoints, newest first (as the
// journey orders them). The database's floor for the same answer, without normalization, GraphQL,
// metrics in Python or per-part round trips. A touchpoint reached through two of her identifiers
// counts once.
// mode: read
// params: key, limit
// returns: id, traits, identifiers, consents, touchpoints, orders, revenue, returned, lastSeenAt, recent
MATCH (:Identifier {key: $key})-[:OF]->(p:Person)
OPTIONAL MATCH (p)<-[:OF]-(:Identifier)<-[:BY]-(t:Touchpoint)
WITH DISTINCT p, t
ORDER BY t.occurredAt DESC, t.id DESC
WITH p, count(t) AS touchpoints,
     sum(CASE WHEN t.type = 'order' THEN 1 ELSE 0 END) AS orders,
     sum(CASE WHEN t.type = 'order' THEN coalesce(t.amount, 0.0) ELSE 0.0 END) AS revenue,
     sum(CASE WHEN t.type = 'return' THEN coalesce(t.amount, 0.0) ELSE 0.0 END) AS returned,
     max(t.occurredAt) AS lastSeenAt,
     collect(CASE WHEN t IS NOT NULL
             THEN {id: t.id, type: t.type, channel: t.channel, occurredAt: t.occurredAt, amount: t.amount} END) AS latest
// Not `i` twice: FalkorDB leaves a second pattern comprehension of a projection empty when it reuses
// the first one's variable name.
RETURN p.id AS id, p.traits AS traits,
       [(p)<-[:OF]-(i:Identifier) | {key: i.key, type: i.type, value: i.value}] AS identifiers,
       [(p)<-[:OF]-(via:Identifier)<-[:FOR]-(c:Consent) |
        {identifier: via.key, purpose: c.purpose, channel: c.channel, status: c.status, at: c.at}] AS consents,
       touchpoints, orders, revenue, returned, lastSeenAt, latest[0..$limit] AS recent
