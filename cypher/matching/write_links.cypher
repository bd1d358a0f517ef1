// Replaces the scored links of some records: their MATCHED and POSSIBLE_MATCH edges that no reviewer set go,
// the new ones (a.key < b.key) come with score, rule and the per-comparison detail (JSON) that explains them.
// A POSSIBLE_MATCH's id orders the review queue: highest score first, exactly (a string, not a float).
// mode: write
// params: records, links, now
// returns: links
UNWIND $records AS key
MATCH (r:Record {key: key})
OPTIONAL MATCH (r)-[old:MATCHED|POSSIBLE_MATCH]-(:Record)
WHERE NOT coalesce(old.reviewed, false)
DELETE old
WITH count(*) AS cleared
UNWIND $links AS l
MATCH (a:Record {key: l.a})
MATCH (b:Record {key: l.b})
// A reviewer's decision on the pair stands: it is never overwritten by a score.
OPTIONAL MATCH (a)-[rejected:NOT_MATCHED]-(b)
OPTIONAL MATCH (a)-[accepted:MATCHED]-(b)
WHERE accepted.reviewed
WITH a, b, l.matched AS matched, l.a AS ka, l.b AS kb, l.score AS score, l.weight AS weight, l.rule AS rule,
     l.detail AS detail, l.order AS order, count(rejected) + count(accepted) AS decisions
WHERE decisions = 0
FOREACH (_ IN CASE WHEN matched THEN [1] ELSE [] END |
  MERGE (a)-[m:MATCHED]->(b)
  SET m.score = score, m.weight = weight, m.rule = rule, m.detail = detail, m.at = $now, m.reviewed = false
)
FOREACH (_ IN CASE WHEN matched THEN [] ELSE [1] END |
  MERGE (a)-[m:POSSIBLE_MATCH]->(b)
  SET m.id = order, m.score = score, m.weight = weight, m.rule = rule, m.detail = detail, m.at = $now
)
RETURN count(*) AS links
