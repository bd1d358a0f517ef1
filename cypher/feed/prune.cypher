// Retention: removes the events below a sequence (never more than the caller's window), of both labels, and
// moves the feed's first sequence there, so a reader whose cursor is older learns that events were removed.
// mode: write
// params: below, now
// returns: removed, first
MATCH (feed:ChangeFeed {id: 'changes'})
SET feed.lockedAt = $now
WITH feed
OPTIONAL MATCH (c:Change)
WHERE c.sequence >= feed.first AND c.sequence < $below
WITH feed, collect(c) AS gone
OPTIONAL MATCH (s:SegmentChange)
WHERE s.sequence >= feed.first AND s.sequence < $below
WITH feed, gone, collect(s) AS segmentGone
FOREACH (c IN gone | DELETE c)
FOREACH (s IN segmentGone | DELETE s)
SET feed.first = CASE WHEN $below > feed.first THEN $below ELSE feed.first END
RETURN size(gone) + size(segmentGone) AS removed, feed.first AS first
