// Deletes every node and edge of the graph (tests and resets).
// mode: write
// params: none
// returns: none
MATCH (n) DETACH DELETE n
