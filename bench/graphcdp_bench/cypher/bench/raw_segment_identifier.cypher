// Segments benchmark baseline, written by hand: live persons who hold (or, with $negate, do not hold) an
// identifier of type $type become members of the segment $key.
// mode: write
// params: key, type, negate, now
// returns: members
MATCH (s:RawSegment {key: $key})
MATCH (p:Person)
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
WITH s, p, size([(p)<-[:OF]-(i:Identifier) WHERE i.type = $type | i]) > 0 AS holds
WHERE holds <> $negate
CREATE (p)-[:IN {since: $now}]->(s)
RETURN count(p) AS members
