// The persons several identifiers belong to (a DataLoader batch); unknown keys give no row.
// mode: read
// params: keys
// returns: key, id, createdAt, updatedAt, traits, history, identifiers, records
UNWIND $keys AS key
MATCH (:Identifier {key: key})-[:OF]->(p:Person)
RETURN key, p.id AS id, p.createdAt AS createdAt, p.updatedAt AS updatedAt, p.traits AS traits,
       p.history + reduce(past = [], batch IN [(p)-[:SEGMENT_EVENTS]->(sev:SegmentEvents) | sev.events] | past + batch)
       + [(p)-[heldIn:IN]->(heldSegment:Segment) |
          '{"at": ' + toString(heldIn.since) + ', "kind": "segment_entered", "segment": "' + heldSegment.key + '"}'] AS history,
       [(p)<-[:OF]-(i:Identifier) | {key: i.key, type: i.type, value: i.value, blocked: i.blocked, shared: i.shared}] AS identifiers,
       [(p)<-[:OF]-(r:Record) | {key: r.key, source: r.source, sourceId: r.sourceId, observedAt: r.observedAt}] AS records
