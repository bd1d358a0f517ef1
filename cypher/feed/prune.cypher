// Retention: removes the events below a sequence (never more than the caller's window), of every label, and
// moves the feed's first sequence there, so a reader whose cursor is older learns that events were removed. A
// batch of segment events (SegmentChanges) goes when its last event is below; one that straddles the line stays
// until the next run (readers never read below the feed's first sequence).
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
OPTIONAL MATCH (b:SegmentChanges)
WHERE b.last >= feed.first AND b.last < $below
WITH feed, gone, segmentGone, collect(b) AS batchesGone
WITH feed, gone, segmentGone, batchesGone,
     reduce(events = 0, b IN batchesGone | events + b.last - CASE WHEN b.sequence > feed.first THEN b.sequence ELSE feed.first END + 1) AS batchedGone
FOREACH (c IN gone | DELETE c)
FOREACH (s IN segmentGone | DELETE s)
FOREACH (b IN batchesGone | DELETE b)
SET feed.first = CASE WHEN $below > feed.first THEN $below ELSE feed.first END
RETURN size(gone) + size(segmentGone) + batchedGone AS removed, feed.first AS first
