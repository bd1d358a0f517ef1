// Start-up migration of record keys (issue 17, finding 9), first step: a record whose source holds ':' or '\' and
// whose key is not yet `escaped source:sourceId` (the source escaped as graphcdp.model.node_ref.record_key does,
// '\' → '\\', ':' → '\:', built from the parameters so no string literal needs an escape) is parked under
// `$parking<old key>`: unique as the old key is, and a key no record has (the `graphcdp.` sources are reserved).
// So the second step (identity/rekey_records) gives every parked record its new key without meeting an old key
// still in use (one record's new key may be another's old one).
// A source without either character keeps its key, so ordinary data is never touched.
// mode: write
// params: colon, backslash, parking
// returns: key
MATCH (r:Record)
WHERE r.source CONTAINS $colon OR r.source CONTAINS $backslash
WITH r, replace(replace(r.source, $backslash, $backslash + $backslash), $colon, $backslash + $colon) + $colon + r.sourceId AS key
WHERE r.key <> key AND NOT r.key STARTS WITH $parking
SET r.key = $parking + r.key
RETURN r.key AS key
