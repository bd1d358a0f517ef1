// Live persons that hold no record: what older builds made of each identifier a type limit refused (issue 17,
// finding 3), or an interrupted delete left. Paged by id ($after, the last id of the previous page) along the
// Person.id index, $limit at a time; with the identifiers each still holds.
// mode: read
// params: after, limit
// returns: id, identifiers
MATCH (p:Person)
WHERE p.id > $after AND p.mergedInto IS NULL AND NOT coalesce(p.emptied, false) AND NOT (p)<-[:OF]-(:Record)
RETURN p.id AS id, [(p)<-[:OF]-(i:Identifier) | i.key] AS identifiers
ORDER BY id
LIMIT $limit
