// Writes back histories and refused links with an erased person's keys taken out, unless the person changed
// since they were read (then the next erasure near her scrubs it).
// mode: write
// params: persons
// returns: id
UNWIND $persons AS s
MATCH (p:Person {id: s.id})
WHERE p.version = s.version
SET p.history = s.history, p.rejections = s.rejections
RETURN p.id AS id
