// A person by id; an id retired by a merge answers with the person it was merged into.
// mode: read
// params: id
// returns: id, createdAt, updatedAt, traits, history, identifiers, records
MATCH (asked:Person {id: $id})
OPTIONAL MATCH (asked)-[:MERGED_INTO*1..32]->(survivor:Person)
WHERE survivor.mergedInto IS NULL
WITH coalesce(survivor, asked) AS p
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
RETURN p.id AS id, p.createdAt AS createdAt, p.updatedAt AS updatedAt, p.traits AS traits,
       p.history + reduce(past = [], batch IN [(p)-[:SEGMENT_EVENTS]->(sev:SegmentEvents) | sev.events] | past + batch)
       + [(p)-[heldIn:IN]->(heldSegment:Segment) |
          '{"at": ' + toString(heldIn.since) + ', "kind": "segment_entered", "segment": "' + heldSegment.key + '"}'] AS history,
       [(p)<-[:OF]-(i:Identifier) | {key: i.key, type: i.type, value: i.value, blocked: i.blocked, shared: i.shared}] AS identifiers,
       [(p)<-[:OF]-(r:Record) | {key: r.key, source: r.source, sourceId: r.sourceId, observedAt: r.observedAt}] AS records
