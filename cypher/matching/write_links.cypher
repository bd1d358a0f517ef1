// Stores what matching scored, without undoing what a concurrent writer stored meanwhile.
// First, the links of the scored records that are stale: no reviewer set them, and they were scored from
// other content than the record has now (ha/hb: the content hashes of a and b when scored) or under
// another model ($rule). A link another writer scored from the same content stays: it is as fresh.
// Then every scored pair (a.key < b.key), if both records still have the content it was scored from and no
// reviewer decided it: kind MATCHED or POSSIBLE_MATCH replaces its other unreviewed link; kind NONE (below
// the review threshold) removes it. Links carry score, rule and the per-comparison detail (JSON) that
// explains them; a POSSIBLE_MATCH's rank (indexed) and id order the review queue, highest score first.
// mode: write
// params: records, pairs, rule, now
// returns: links, matched
UNWIND $records AS key
MATCH (r:Record {key: key})
OPTIONAL MATCH (r)-[old:MATCHED|POSSIBLE_MATCH]-(o:Record)
WHERE NOT coalesce(old.reviewed, false)
  AND (old.rule <> $rule OR coalesce(CASE WHEN r.key < o.key THEN old.ha ELSE old.hb END, '') <> r.contentHash)
DELETE old
WITH count(*) AS cleared
UNWIND $pairs AS l
MATCH (a:Record {key: l.a})
MATCH (b:Record {key: l.b})
WHERE a.contentHash = l.ha AND b.contentHash = l.hb
OPTIONAL MATCH (a)-[rejected:NOT_MATCHED]-(b)
OPTIONAL MATCH (a)-[accepted:MATCHED]-(b)
WHERE accepted.reviewed
WITH a, b, l.kind AS kind, l.ha AS ha, l.hb AS hb, l.score AS score, l.weight AS weight, l.detail AS detail,
     l.order AS order, l.rank AS rank, count(rejected) + count(accepted) AS decisions
WHERE decisions = 0
OPTIONAL MATCH (a)-[other:MATCHED|POSSIBLE_MATCH]-(b)
WHERE type(other) <> kind
DELETE other
WITH a, b, kind, ha, hb, score, weight, detail, order, rank, count(other) AS replaced
FOREACH (_ IN CASE WHEN kind = 'MATCHED' THEN [1] ELSE [] END |
  MERGE (a)-[m:MATCHED]->(b)
  SET m.score = score, m.weight = weight, m.rule = $rule, m.detail = detail, m.at = $now, m.reviewed = false,
      m.ha = ha, m.hb = hb
)
FOREACH (_ IN CASE WHEN kind = 'POSSIBLE_MATCH' THEN [1] ELSE [] END |
  MERGE (a)-[m:POSSIBLE_MATCH]->(b)
  SET m.id = order, m.rank = rank, m.score = score, m.weight = weight, m.rule = $rule, m.detail = detail,
      m.at = $now, m.ha = ha, m.hb = hb
)
// The MATCHED links stored, as a read of them gives them back (the new records' first hop takes them).
RETURN count(*) AS links, collect(CASE WHEN kind = 'MATCHED' THEN [a.key, b.key, score] END) AS matched
