// The events of the feed with these sequences (what deliveries send), of either label (segment membership events
// are SegmentChange nodes); an event retention or an erasure removed is missing from the answer.
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
