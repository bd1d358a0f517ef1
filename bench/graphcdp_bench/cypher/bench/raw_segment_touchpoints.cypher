// Segments benchmark baseline, written by hand: live persons with at least $count distinct touchpoints of
// type $type (any type when ''), channel $channel (any when '') since $since, whose amounts sum to at least
// $sum, become members of the segment $key.
// mode: write
// params: key, type, channel, since, count, sum, now
// returns: members
MATCH (s:RawSegment {key: $key})
MATCH (p:Person)
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
OPTIONAL MATCH (p)<-[:OF]-(:Identifier)<-[:BY]-(t:Touchpoint)
WHERE ($type = '' OR t.type = $type) AND ($channel = '' OR t.channel = $channel) AND t.occurredAt >= $since
WITH s, p, collect(DISTINCT t) AS done
WHERE size(done) >= $count AND reduce(total = 0.0, t IN done | total + coalesce(t.amount, 0.0)) >= $sum
CREATE (p)-[:IN {since: $now}]->(s)
RETURN count(p) AS members
