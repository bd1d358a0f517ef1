// Every index of the graph and whether FalkorDB has built it: status is OPERATIONAL once built and
// "[Indexing] done/total: UNDER CONSTRUCTION" while it fills in the background, when queries that use
// it see only what it holds so far. One row per label or relationship type (all its indexed fields).
// mode: read
// params: none
// returns: name, status
CALL db.indexes() YIELD label, entitytype, status
RETURN entitytype + ' ' + label AS name, status
