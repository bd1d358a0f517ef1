// Test-only: gives an identifier a person of its own and no record, as builds before issue 17 did for each
// identifier a type limit refused.
// mode: write
// params: key, id, now
// returns: id
MATCH (i:Identifier {key: $key})
CREATE (p:Person {id: $id, createdAt: $now, updatedAt: $now, version: 1, history: [], traits: '{}',
                  rejections: [], recordCount: 0})
CREATE (i)-[:OF]->(p)
RETURN p.id AS id
