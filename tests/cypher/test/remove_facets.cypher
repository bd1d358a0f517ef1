// Test-only: a graph as an older graphcdp left it, without segment facets.
// mode: write
// params: none
// returns: removed
MATCH (n)
WHERE n:Person OR n:Touchpoint
REMOVE n.traitFacets, n.facets
RETURN count(n) AS removed
