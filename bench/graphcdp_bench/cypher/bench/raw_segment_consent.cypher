// Segments benchmark baseline, written by hand: live persons whose latest consent statement for $purpose
// and $channel, through any of their identifiers, is GRANTED become members of the segment $key.
// mode: write
// params: key, purpose, channel, now
// returns: members
MATCH (s:RawSegment {key: $key})
MATCH (p:Person)<-[:OF]-(:Identifier)<-[:FOR]-(c:Consent {purpose: $purpose, channel: $channel})
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
WITH s, p, c
ORDER BY c.at DESC
WITH s, p, collect(c.status)[0] AS status
WHERE status = 'GRANTED'
CREATE (p)-[:IN {since: $now}]->(s)
RETURN count(p) AS members
