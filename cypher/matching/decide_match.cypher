// A reviewer's decision on a pair of records. Accepted: one MATCHED edge marked reviewed (it links whatever
// the scores say). Rejected: a NOT_MATCHED edge, so the pair is never proposed or matched again. Either way
// the scored edges between them go. Returns no row when the records are unknown.
// mode: write
// params: a, b, accept, now
// returns: scored, decided
MATCH (a:Record {key: $a})
MATCH (b:Record {key: $b})
OPTIONAL MATCH (a)-[old:POSSIBLE_MATCH|MATCHED|NOT_MATCHED]-(b)
WITH a, b, collect(old) AS olds, max(old.score) AS score, head(collect(old.detail)) AS detail
FOREACH (o IN olds | DELETE o)
FOREACH (_ IN CASE WHEN $accept THEN [1] ELSE [] END |
  MERGE (a)-[x:MATCHED]->(b)
  SET x.reviewed = true, x.score = coalesce(score, 1.0), x.rule = 'review', x.detail = detail, x.at = $now
)
FOREACH (_ IN CASE WHEN $accept THEN [] ELSE [1] END |
  MERGE (a)-[n:NOT_MATCHED]->(b)
  SET n.at = $now, n.score = score
)
RETURN size(olds) AS scored, true AS decided
