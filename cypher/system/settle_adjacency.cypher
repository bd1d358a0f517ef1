// Reads one node's edges of every type, so FalkorDB synchronises its adjacency matrix (all edges, whatever
// their type) and merges the additions it holds pending once they reach DELTA_MAX_PENDING_CHANGES. No other
// statement of the service reads edges without a type, so without this read they pile up from every edge
// written since the graph was loaded, and every later edge deletion gathers them all again
// (docs/performance.md, "Writes slow down with every edge written"). Only the FalkorDB store runs it (its
// settle); the answer is not used.
// mode: read
// params: none
// returns: edges
MATCH (n)
WITH n
LIMIT 1
OPTIONAL MATCH (n)-->(m)
RETURN count(m) AS edges
