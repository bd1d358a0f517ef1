// Removes the review pairs (POSSIBLE_MATCH), match links (MATCHED) and reviewers' decisions (NOT_MATCHED)
// that touch the erased records; says how many of each went and which records outside hers they joined
// (those are resolved again).
// mode: write
// params: records
// returns: pairs, links, others
UNWIND $records AS key
MATCH (r:Record {key: key})-[m:MATCHED|POSSIBLE_MATCH|NOT_MATCHED]-(o:Record)
WITH DISTINCT m, type(m) AS kind, CASE WHEN o.key IN $records THEN null ELSE o.key END AS other
WITH collect(m) AS edges, sum(CASE WHEN kind = 'POSSIBLE_MATCH' THEN 1 ELSE 0 END) AS pairs, count(m) AS total,
     collect(DISTINCT other) AS others
FOREACH (e IN edges | DELETE e)
RETURN pairs, total - pairs AS links, others
