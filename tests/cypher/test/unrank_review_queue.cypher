// Test-only: the review queue as a graphcdp before ranks stored it (POSSIBLE_MATCH edges without a rank).
// mode: write
// params: none
// returns: unranked
MATCH ()-[m:POSSIBLE_MATCH]->()
REMOVE m.rank
RETURN count(m) AS unranked
