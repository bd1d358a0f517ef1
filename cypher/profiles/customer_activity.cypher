// `context` asked without `person`: profiles/customer_context without her history and records, which only the
// person's own fields show (a third of the statement's work in the database: bench/README.md). Same columns
// otherwise, same order, same rules (and the pattern comprehensions' own variable names, for the reason given there).
// mode: read
// params: key, limit
// returns: key, id, createdAt, updatedAt, traits, identifiers, events, consents, total, page, memberships
MATCH (:Identifier {key: $key})-[:OF]->(p:Person)
OPTIONAL MATCH (p)<-[:OF]-(i:Identifier)<-[:BY]-(t:Touchpoint)
WITH p, t, collect(i.key) AS via
ORDER BY t.occurredAt DESC, t.id DESC
WITH p,
     collect(CASE WHEN t IS NOT NULL THEN [t.occurredAt, t.type, t.amount] END) AS events,
     collect(CASE WHEN t IS NOT NULL
             THEN {id: t.id, type: t.type, channel: t.channel, occurredAt: t.occurredAt, source: t.source,
                   amount: t.amount, currency: t.currency, properties: t.properties, via: via}
             END) AS touchpoints
RETURN $key AS key, p.id AS id, p.createdAt AS createdAt, p.updatedAt AS updatedAt, p.traits AS traits,
       [(p)<-[:OF]-(ident:Identifier) |
        {key: ident.key, type: ident.type, value: ident.value, blocked: ident.blocked, shared: ident.shared}] AS identifiers,
       [(p)<-[:OF]-(through:Identifier)<-[:FOR]-(c:Consent) |
        {id: c.id, identifier: through.key, purpose: c.purpose, channel: c.channel, status: c.status, at: c.at,
         source: c.source, recordedAt: c.recordedAt}] AS consents,
       [(p)-[member:IN]->(memberOf:Segment) | {person: p.id, key: memberOf.key, name: memberOf.name, since: member.since}]
         AS memberships,
       events, size(touchpoints) AS total, touchpoints[0..$limit] AS page
