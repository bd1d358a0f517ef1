// One page of a segment's live members, by person id after the cursor's id ($after, '' for the first page).
// mode: read
// params: key, after, limit
// returns: id, createdAt, updatedAt, traits, history, identifiers, records
MATCH (:Segment {key: $key})<-[:IN]-(p:Person)
WHERE p.id > $after AND p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
WITH p
ORDER BY p.id
LIMIT $limit
RETURN p.id AS id, p.createdAt AS createdAt, p.updatedAt AS updatedAt, p.traits AS traits,
       p.history + reduce(past = [], batch IN [(p)-[:SEGMENT_EVENTS]->(sev:SegmentEvents) | sev.events] | past + batch)
       + [(p)-[heldIn:IN]->(heldSegment:Segment) |
          '{"at": ' + toString(heldIn.since) + ', "kind": "segment_entered", "segment": "' + heldSegment.key + '"}'] AS history,
       [(p)<-[:OF]-(i:Identifier) | {key: i.key, type: i.type, value: i.value, blocked: i.blocked, shared: i.shared}] AS identifiers,
       [(p)<-[:OF]-(r:Record) | {key: r.key, source: r.source, sourceId: r.sourceId, observedAt: r.observedAt}] AS records
