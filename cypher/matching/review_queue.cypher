// One window of the review queue: pairs scored between the review and auto thresholds whose records are not
// one person already, with a rank in [fromRank, toRank) (an indexed range: the queue is never read whole),
// after the position `after`, in queue order (the id write_links gives: the rank, then the pair, exactly).
// mode: read
// params: after, fromRank, toRank, first
// returns: id, a, b, score, weight, detail, rule, at, personA, personB, traitsA, traitsB
MATCH ()-[m:POSSIBLE_MATCH]->()
WHERE m.rank >= $fromRank AND m.rank < $toRank
WITH m, startNode(m) AS a, endNode(m) AS b
WHERE m.id > $after
OPTIONAL MATCH (a)-[:OF]->(pa:Person)
OPTIONAL MATCH (b)-[:OF]->(pb:Person)
WITH a, b, m, pa, pb
WHERE pa IS NULL OR pb IS NULL OR pa.id <> pb.id
RETURN m.id AS id, a.key AS a, b.key AS b, m.score AS score, m.weight AS weight, m.detail AS detail,
       m.rule AS rule, m.at AS at, pa.id AS personA, pb.id AS personB, a.traits AS traitsA, b.traits AS traitsB
ORDER BY id
LIMIT $first
