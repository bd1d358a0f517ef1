// Persons by id, for one page of search results; persons retired by a merge or emptied are left out.
// mode: read
// params: ids
// returns: id, createdAt, updatedAt, traits, history, identifiers, records
UNWIND $ids AS wanted
MATCH (p:Person {id: wanted})
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
RETURN p.id AS id, p.createdAt AS createdAt, p.updatedAt AS updatedAt, p.traits AS traits,
       p.history + reduce(past = [], batch IN [(p)-[:SEGMENT_EVENTS]->(sev:SegmentEvents) | sev.events] | past + batch)
       + [(p)-[heldIn:IN]->(heldSegment:Segment) |
          '{"at": ' + toString(heldIn.since) + ', "kind": "segment_entered", "segment": "' + heldSegment.key + '"}'] AS history,
       [(p)<-[:OF]-(i:Identifier) | {key: i.key, type: i.type, value: i.value, blocked: i.blocked, shared: i.shared}] AS identifiers,
       [(p)<-[:OF]-(r:Record) | {key: r.key, source: r.source, sourceId: r.sourceId, observedAt: r.observedAt}] AS records
