// Segments benchmark baseline, written by hand: live persons one of whose golden trait facets is $facet
// (or, with $prefix, starts with it) become members of the segment $key.
// mode: write
// params: key, facet, prefix, now
// returns: members
MATCH (s:RawSegment {key: $key})
MATCH (p:Person)
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
  AND ($facet IN p.traitFacets OR ($prefix <> '' AND any(f IN p.traitFacets WHERE f STARTS WITH $prefix)))
CREATE (p)-[:IN {since: $now}]->(s)
RETURN count(p) AS members
