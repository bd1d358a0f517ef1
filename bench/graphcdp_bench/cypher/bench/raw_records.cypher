// Ingest benchmark baseline: the nodes and edges graphcdp ends with for a batch of records (Record,
// Identifier, HAS, Person, OF), written by plain MERGE with the persons already known: the work of the
// database alone, without resolution.
// mode: write
// params: records
// returns: written
UNWIND $records AS rec
MERGE (r:Record {key: rec.key})
SET r.source = rec.source, r.sourceId = rec.sourceId, r.observedAt = rec.observedAt, r.traits = rec.traits
MERGE (p:Person {id: rec.person})
MERGE (r)-[:OF]->(p)
WITH r, p, rec
UNWIND rec.identifiers AS id
MERGE (i:Identifier {key: id.key})
ON CREATE SET i.type = id.type, i.value = id.value, i.blocked = id.blocked
MERGE (r)-[:HAS]->(i)
MERGE (i)-[:OF]->(p)
RETURN count(*) AS written
