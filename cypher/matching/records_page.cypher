// One page of the records that have traits (what matching compares), in key order after $after, with their
// content hash and linking identifiers. Training and rematching read the graph with it.
// mode: read
// params: after, limit
// returns: key, traits, hash, identifiers
MATCH (r:Record)
WHERE r.key > $after AND r.traits IS NOT NULL AND r.traits <> '{}'
WITH r
ORDER BY r.key
LIMIT $limit
OPTIONAL MATCH (r)-[:HAS]->(i:Identifier)
WHERE NOT i.blocked
RETURN r.key AS key, r.traits AS traits, r.contentHash AS hash, collect(i.key) AS identifiers
