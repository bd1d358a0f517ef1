// Test-only: forgets that start-up migrations ran, as on a graph an older graphcdp wrote.
// mode: write
// params: names
// returns: forgotten
MATCH (m:Migration)
WHERE m.name IN $names
DELETE m
RETURN count(*) AS forgotten
