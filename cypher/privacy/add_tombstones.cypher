// Tombstones for erased identifiers: salted hashes of their keys, never the keys.
// mode: write
// params: hashes, now
// returns: hash
UNWIND $hashes AS h
MERGE (t:Tombstone {hash: h})
ON CREATE SET t.erasedAt = $now
RETURN t.hash AS hash
