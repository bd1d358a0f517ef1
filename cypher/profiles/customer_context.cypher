// Everything `context(identifier, touchpoints)` answers, in one round trip from the identifier's key: the person
// (as identity/person_by_identifier reads her), every touchpoint as metrics read it ([occurredAt, type, amount]),
// every consent statement (as privacy/consents), and the newest $limit touchpoints with the identifiers they came
// through (as profiles/journey pages them, newest first; $limit is one more than asked, to say whether there is a
// next page), and her segments (as segments/memberships reads them). A touchpoint reached through two of her
// identifiers counts once. The pattern comprehensions use
// variables of their own: FalkorDB leaves a second comprehension of a projection empty when it reuses a name.
// mode: read
// params: key, limit
// returns: key, id, createdAt, updatedAt, traits, history, identifiers, records, events, consents, total, page, memberships
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
       p.history + reduce(past = [], batch IN [(p)-[:SEGMENT_EVENTS]->(sev:SegmentEvents) | sev.events] | past + batch)
       + [(p)-[heldIn:IN]->(heldSegment:Segment) |
          '{"at": ' + toString(heldIn.since) + ', "kind": "segment_entered", "segment": "' + heldSegment.key + '"}'] AS history,
       [(p)<-[:OF]-(ident:Identifier) |
        {key: ident.key, type: ident.type, value: ident.value, blocked: ident.blocked, shared: ident.shared}] AS identifiers,
       [(p)<-[:OF]-(rec:Record) | {key: rec.key, source: rec.source, sourceId: rec.sourceId, observedAt: rec.observedAt}] AS records,
       [(p)<-[:OF]-(through:Identifier)<-[:FOR]-(c:Consent) |
        {id: c.id, identifier: through.key, purpose: c.purpose, channel: c.channel, status: c.status, at: c.at,
         source: c.source, recordedAt: c.recordedAt}] AS consents,
       [(p)-[member:IN]->(memberOf:Segment) | {person: p.id, key: memberOf.key, name: memberOf.name, since: member.since}]
         AS memberships,
       events, size(touchpoints) AS total, touchpoints[0..$limit] AS page
