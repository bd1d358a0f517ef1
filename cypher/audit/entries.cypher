// A page of the audit trail, newest first; afterAt/afterId (null for the first page) are the last entry seen.
// mode: read
// params: afterAt, afterId, limit
// returns: id, at, actor, action, target
MATCH (e:AuditEntry)
WHERE $afterAt IS NULL OR e.at < $afterAt OR (e.at = $afterAt AND e.id < $afterId)
RETURN e.id AS id, e.at AS at, e.actor AS actor, e.action AS action, e.target AS target
ORDER BY at DESC, id DESC
LIMIT $limit
