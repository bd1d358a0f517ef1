// What matching compares of some records: traits and linking identifiers.
// mode: read
// params: keys
// returns: key, traits, identifiers
UNWIND $keys AS k
MATCH (r:Record {key: k})
OPTIONAL MATCH (r)-[:HAS]->(i:Identifier)
WHERE NOT i.blocked
RETURN r.key AS key, r.traits AS traits, collect(i.key) AS identifiers
