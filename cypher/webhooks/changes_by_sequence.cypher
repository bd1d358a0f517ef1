// The events of the feed with these sequences (what deliveries send), of any label (segment membership events
// are SegmentChange nodes, and SegmentChanges batches whose sequences run from `sequence` to `last`); an event
// retention or an erasure removed is missing from the answer.
// mode: read
// params: sequences
// returns: sequence, kind, personId, at, data
MATCH (c:Change)
WHERE c.sequence IN $sequences
RETURN c.sequence AS sequence, c.kind AS kind, c.personId AS personId, c.at AS at, c.data AS data
UNION ALL
MATCH (c:SegmentChange)
WHERE c.sequence IN $sequences
RETURN c.sequence AS sequence, c.kind AS kind, c.personId AS personId, c.at AS at, c.data AS data
UNION ALL
UNWIND $sequences AS sequence
MATCH (c:SegmentChanges)
WHERE c.last >= sequence AND c.sequence <= sequence
WITH c, sequence, c.personIds[sequence - c.sequence] AS personId
WHERE personId <> ''
RETURN sequence, c.kind AS kind, personId, c.at AS at, c.data AS data
