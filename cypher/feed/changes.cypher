// Events of the feed after a sequence, up to another (a window the caller moves along: an indexed range read,
// however long the feed), of some kinds (all when `kinds` is empty). Segment membership events are
// SegmentChange nodes (one event each) and SegmentChanges nodes (a batch: sequences `sequence` to `last`, one per
// person of `personIds`; '' where an erasure took her out), numbered from the same counter: each label gives its
// first `limit` in sequence order, and the caller merges them by sequence (graphcdp/feed/reader.py window).
// mode: read
// params: after, upTo, kinds, limit
// returns: sequence, kind, personId, at, data
MATCH (c:Change)
WHERE c.sequence > $after AND c.sequence <= $upTo AND (size($kinds) = 0 OR c.kind IN $kinds)
RETURN c.sequence AS sequence, c.kind AS kind, c.personId AS personId, c.at AS at, c.data AS data
ORDER BY sequence
LIMIT $limit
UNION ALL
MATCH (c:SegmentChange)
WHERE c.sequence > $after AND c.sequence <= $upTo AND (size($kinds) = 0 OR c.kind IN $kinds)
RETURN c.sequence AS sequence, c.kind AS kind, c.personId AS personId, c.at AS at, c.data AS data
ORDER BY sequence
LIMIT $limit
UNION ALL
MATCH (c:SegmentChanges)
WHERE c.last > $after AND c.sequence <= $upTo AND (size($kinds) = 0 OR c.kind IN $kinds)
UNWIND range(0, size(c.personIds) - 1) AS n
WITH c, c.sequence + n AS sequence, c.personIds[n] AS personId
WHERE sequence > $after AND sequence <= $upTo AND personId <> ''
RETURN sequence, c.kind AS kind, personId, c.at AS at, c.data AS data
ORDER BY sequence
LIMIT $limit
