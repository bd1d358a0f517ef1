// Gives a rank to review queue entries stored before POSSIBLE_MATCH edges carried one (the first 13
// characters of their id are it); run at start-up, it finds nothing to do once they have.
// mode: write
// params: none
// returns: ranked
MATCH ()-[m:POSSIBLE_MATCH]->()
WHERE m.rank IS NULL
SET m.rank = toInteger(substring(m.id, 0, 13))
RETURN count(m) AS ranked
