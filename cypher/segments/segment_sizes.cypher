// How many live persons are members of each of these segments (retired and emptied persons never count).
// mode: read
// params: keys
// returns: key, size
UNWIND $keys AS wanted
MATCH (s:Segment {key: wanted})
OPTIONAL MATCH (s)<-[:IN]-(p:Person)
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
RETURN s.key AS key, count(p) AS size
