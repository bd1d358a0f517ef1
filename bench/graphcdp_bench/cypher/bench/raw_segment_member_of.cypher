// Segments benchmark baseline, written by hand: live members of the segment $base with an identifier of
// type $type become members of the segment $key.
// mode: write
// params: key, base, type, now
// returns: members
MATCH (s:RawSegment {key: $key})
MATCH (p:Person)-[:IN]->(:RawSegment {key: $base})
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
WITH s, p, size([(p)<-[:OF]-(i:Identifier) WHERE i.type = $type | i]) AS held
WHERE held > 0
CREATE (p)-[:IN {since: $now}]->(s)
RETURN count(p) AS members
