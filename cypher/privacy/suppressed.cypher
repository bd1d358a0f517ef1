// Which of these salted identifier hashes are tombstoned: one indexed lookup per hash, one round trip per batch.
// mode: read
// params: hashes
// returns: hash
UNWIND $hashes AS h
MATCH (t:Tombstone {hash: h})
RETURN t.hash AS hash
