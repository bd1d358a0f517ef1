// Cheapest statement that proves the database answers Cypher.
// mode: read
// params: none
// returns: ok
RETURN 1 AS ok
