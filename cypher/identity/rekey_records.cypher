// Start-up migration of record keys (issue 17, finding 9): a record whose source holds ':' or '\' gets the key
// `escaped source:sourceId`, the source escaped as graphcdp.model.node_ref.record_key does ('\' → '\\', ':' → '\:',
// built from the parameters so no string literal needs an escape). Records already keyed so are left alone; a
// source without either character keeps its key, so ordinary data is never touched.
// mode: write
// params: colon, backslash
// returns: key
MATCH (r:Record)
WHERE r.source CONTAINS $colon OR r.source CONTAINS $backslash
WITH r, replace(replace(r.source, $backslash, $backslash + $backslash), $colon, $backslash + $colon) + $colon + r.sourceId AS key
WHERE r.key <> key
SET r.key = key
RETURN r.key AS key
