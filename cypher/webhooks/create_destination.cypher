// A new webhook destination, at a position of the change feed (the newest event when it is made: it is sent
// what happens from then on).
// mode: write
// params: id, url, sealedSecret, kinds, segments, purpose, channel, now, position
// returns: id, url, sealedSecret, kinds, segments, purpose, channel, status, createdAt, position
CREATE (d:Destination {id: $id, url: $url, sealedSecret: $sealedSecret, kinds: $kinds, segments: $segments,
                       purpose: $purpose, channel: $channel, status: 'ACTIVE', createdAt: $now, position: $position})
RETURN d.id AS id, d.url AS url, d.sealedSecret AS sealedSecret, d.kinds AS kinds, d.segments AS segments,
       d.purpose AS purpose, d.channel AS channel, d.status AS status, d.createdAt AS createdAt,
       d.position AS position
