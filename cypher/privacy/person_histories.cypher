// The history and refused links of persons next to an erased one, to take her keys out of them.
// mode: read
// params: persons
// returns: id, version, history, rejections
UNWIND $persons AS id
MATCH (p:Person {id: id})
RETURN p.id AS id, p.version AS version, coalesce(p.history, []) AS history, coalesce(p.rejections, []) AS rejections
