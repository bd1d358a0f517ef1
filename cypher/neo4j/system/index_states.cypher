// Every index of the database and whether Neo4j has built it: state is ONLINE once built, POPULATING
// while it fills in the background, FAILED if it cannot be built.
// mode: read
// params: none
// returns: name, status
SHOW INDEXES YIELD name, state
RETURN name, state AS status
