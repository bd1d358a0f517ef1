// Records stored without a person: what a crash between storing a batch and resolving it leaves behind.
// Paged by key ($after, the last key of the previous page) along the Record.key index, $limit at a time.
// mode: read
// params: after, limit
// returns: key
MATCH (r:Record)
WHERE r.key > $after AND NOT (r)-[:OF]->(:Person)
RETURN r.key AS key
ORDER BY key
LIMIT $limit
