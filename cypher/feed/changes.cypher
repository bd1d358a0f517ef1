// Events of the feed after a sequence, up to another (a window the caller moves along: an indexed range read,
// however long the feed), of some kinds (all when `kinds` is empty). Segment membership events are
// SegmentChange nodes numbered from the same counter: each label gives its first `limit` in sequence order, and
// the caller merges the two by sequence (graphcdp/feed/reader.py window).
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
