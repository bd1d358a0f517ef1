// The feed's bounds: the oldest sequence retention kept and the newest written (0 before the first event).
// mode: read
// params: none
// returns: first, last
OPTIONAL MATCH (feed:ChangeFeed {id: 'changes'})
RETURN coalesce(feed.first, 1) AS first, coalesce(feed.last, 0) AS last
