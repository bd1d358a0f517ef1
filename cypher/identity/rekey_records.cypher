// Start-up migration of record keys (issue 17, finding 9), second step: every record parked by
// identity/park_record_keys gets the key `escaped source:sourceId` ('\' → '\\', ':' → '\:' in the source, as
// graphcdp.model.node_ref.record_key builds it). Idempotent: a start interrupted between the steps finishes here.
// mode: write
// params: colon, backslash, parking
// returns: key
MATCH (r:Record)
WHERE r.key STARTS WITH $parking
SET r.key = replace(replace(r.source, $backslash, $backslash + $backslash), $colon, $backslash + $colon) + $colon + r.sourceId
RETURN r.key AS key
