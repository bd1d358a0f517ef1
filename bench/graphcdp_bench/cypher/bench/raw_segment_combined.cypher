// Segments benchmark baseline, written by hand: live persons with the trait facet $facet, an identifier
// of type $type and at least $orders orders become members of the segment $key.
// mode: write
// params: key, facet, type, orders, now
// returns: members
MATCH (s:RawSegment {key: $key})
MATCH (p:Person)
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false AND $facet IN p.traitFacets
WITH s, p, size([(p)<-[:OF]-(i:Identifier) WHERE i.type = $type | i]) AS held
WHERE held > 0
OPTIONAL MATCH (p)<-[:OF]-(:Identifier)<-[:BY]-(t:Touchpoint {type: 'order'})
WITH s, p, count(DISTINCT t) AS orders
WHERE orders >= $orders
CREATE (p)-[:IN {since: $now}]->(s)
RETURN count(p) AS members
