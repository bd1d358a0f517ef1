// The start-up migrations this graph has had (graphcdp/lifecycle/migrations.py): each runs until it is recorded.
// mode: read
// params: none
// returns: name
MATCH (m:Migration)
RETURN DISTINCT m.name AS name
