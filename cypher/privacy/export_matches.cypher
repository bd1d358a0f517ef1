// A subject export: the probabilistic links, review pairs and reviewers' decisions touching her records.
// mode: read
// params: id
// returns: kind, record, other, score, rule, at, reviewed
MATCH (:Person {id: $id})<-[:OF]-(r:Record)-[m:MATCHED|POSSIBLE_MATCH|NOT_MATCHED]-(o:Record)
RETURN type(m) AS kind, r.key AS record, o.key AS other, m.score AS score, m.rule AS rule, m.at AS at,
       coalesce(m.reviewed, false) AS reviewed
