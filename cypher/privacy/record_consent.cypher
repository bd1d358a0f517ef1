// Records one consent statement given through an identifier; the identifier (and its evidence record)
// exists already. Idempotent per statement id: statements are kept, never overwritten (the history); a
// statement sent again keeps the time it was first recorded.
// mode: write
// params: now, consent
// returns: id, person, recordedAt
MATCH (i:Identifier {key: $consent.identifier})
MERGE (c:Consent {id: $consent.id})
ON CREATE SET c.purpose = $consent.purpose, c.channel = $consent.channel, c.status = $consent.status,
              c.at = $consent.at, c.source = $consent.source, c.recordedAt = $now, c.identifier = i.key
MERGE (c)-[:FOR]->(i)
WITH c, i
OPTIONAL MATCH (i)-[:OF]->(p:Person)
RETURN c.id AS id, p.id AS person, c.recordedAt AS recordedAt
