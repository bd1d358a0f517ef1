// Test-only: creates records with the content hash matching compares links against.
// mode: write
// params: keys
// returns: created
UNWIND $keys AS key
CREATE (:Record {key: key, contentHash: 'h-' + key, version: 1})
RETURN count(*) AS created
