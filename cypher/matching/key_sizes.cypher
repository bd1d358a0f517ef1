// How many records are under each match key: block sizes (an oversized block is skipped) and value counts.
// mode: read
// params: keys
// returns: key, size
UNWIND $keys AS k
MATCH (m:MatchKey {key: k})
RETURN k AS key, m.size AS size
