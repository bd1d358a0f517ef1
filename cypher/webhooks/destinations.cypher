// Webhook destinations: one by id, or all (id null), oldest first.
// mode: read
// params: id
// returns: id, url, sealedSecret, kinds, segments, purpose, channel, status, createdAt, position
MATCH (d:Destination)
WHERE $id IS NULL OR d.id = $id
RETURN d.id AS id, d.url AS url, d.sealedSecret AS sealedSecret, d.kinds AS kinds, d.segments AS segments,
       d.purpose AS purpose, d.channel AS channel, d.status AS status, d.createdAt AS createdAt,
       d.position AS position
ORDER BY createdAt, id
