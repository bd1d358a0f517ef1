// The records in some blocks (the caller leaves out oversized ones), with what matching compares and the
// pairs a reviewer said are different people.
// mode: read
// params: blocks
// returns: key, blocks, traits, hash, identifiers, detached, cannot
UNWIND $blocks AS k
MATCH (:MatchKey {key: k})<-[:KEYED]-(c:Record)
WITH c, collect(k) AS blocks
OPTIONAL MATCH (c)-[:HAS]->(i:Identifier)
WHERE NOT i.blocked
WITH c, blocks, collect(i.key) AS identifiers
OPTIONAL MATCH (c)-[:NOT_MATCHED]-(x:Record)
WITH c, blocks, identifiers, collect(x.key) AS cannot
RETURN c.key AS key, blocks, c.traits AS traits, c.contentHash AS hash, identifiers, c.detached AS detached, cannot
