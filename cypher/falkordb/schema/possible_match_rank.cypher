// Range index on POSSIBLE_MATCH.rank: the review queue reads it a window of ranks at a time.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR ()-[m:POSSIBLE_MATCH]-() ON (m.rank)
