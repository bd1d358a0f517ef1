// Pause or resume a destination. Its position stays where it is, so a resumed destination catches up.
// mode: write
// params: id, status
// returns: id, url, sealedSecret, kinds, segments, purpose, channel, status, createdAt, position
MATCH (d:Destination {id: $id})
SET d.status = $status
RETURN d.id AS id, d.url AS url, d.sealedSecret AS sealedSecret, d.kinds AS kinds, d.segments AS segments,
       d.purpose AS purpose, d.channel AS channel, d.status AS status, d.createdAt AS createdAt,
       d.position AS position
