// Members of persons: the records and identifiers that are theirs now (OF). A component includes them, so
// evidence that went away (an identifier an update dropped, a match undone) splits the person it joined.
// Its golden traits too: the change feed says which keys a resolution changes.
// mode: read
// params: ids
// returns: id, records, identifiers, traits
UNWIND $ids AS id
MATCH (p:Person {id: id})
OPTIONAL MATCH (r:Record)-[:OF]->(p)
WITH p, collect(r.key) AS records
OPTIONAL MATCH (i:Identifier)-[:OF]->(p)
RETURN p.id AS id, records, collect(i.key) AS identifiers, p.traits AS traits
