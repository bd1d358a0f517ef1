// Removes the erased person and every id retired into her (golden traits, history, search text with them):
// afterwards her ids answer as unknown.
// mode: write
// params: persons
// returns: removed
UNWIND $persons AS id
MATCH (p:Person {id: id})
WITH collect(p) AS gone
FOREACH (p IN gone | DETACH DELETE p)
RETURN size(gone) AS removed
