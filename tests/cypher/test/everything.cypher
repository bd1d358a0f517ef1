// Test-only: every node and every edge with its properties (erasure tests look for values in them).
// mode: read
// params: none
// returns: labels, properties
MATCH (n)
RETURN labels(n) AS labels, n AS properties
UNION ALL
MATCH ()-[e]->()
RETURN [type(e)] AS labels, e AS properties
