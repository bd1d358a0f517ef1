// The probabilistic links inside one person: which records MATCHED, with score, rule and the per-comparison
// detail (JSON) that explains the score.
// mode: read
// params: id
// returns: a, aSource, aSourceId, b, bSource, bSourceId, score, rule, reviewed, detail, at
MATCH (p:Person {id: $id})<-[:OF]-(a:Record)-[m:MATCHED]->(b:Record)-[:OF]->(p)
RETURN a.key AS a, a.source AS aSource, a.sourceId AS aSourceId, b.key AS b, b.source AS bSource,
       b.sourceId AS bSourceId, m.score AS score, m.rule AS rule, m.reviewed AS reviewed, m.detail AS detail,
       m.at AS at
