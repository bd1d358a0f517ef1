// The graph's random salt for tombstone hashes: created once (from $candidate), then always the same.
// mode: write
// params: candidate, now
// returns: value
MERGE (s:TombstoneSalt {name: 'tombstone'})
ON CREATE SET s.value = $candidate, s.createdAt = $now
RETURN s.value AS value
