// HTTP benchmarks: random identifiers that lead to a person (neither blocked nor shared, so they still
// link), of every type: what the context lookups ask by, and what linking records carry, with the golden
// traits (JSON) of their person.
// mode: read
// params: count
// returns: key, type, value, person, traits
MATCH (i:Identifier)-[:OF]->(p:Person)
WHERE NOT coalesce(i.blocked, false) AND NOT coalesce(i.shared, false)
WITH i, p, rand() AS draw
ORDER BY draw
LIMIT $count
RETURN i.key AS key, i.type AS type, i.value AS value, p.id AS person, p.traits AS traits
