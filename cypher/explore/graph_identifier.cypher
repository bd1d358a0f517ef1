// The identifier an identity graph starts from, with the properties a drawing shows.
// mode: read
// params: key
// returns: kind, key, properties
MATCH (n:Identifier {key: $key})
RETURN 'identifier' AS kind, n.key AS key,
       {type: n.type, value: n.value, blocked: n.blocked, shared: n.shared, createdAt: n.createdAt,
        lastSeenAt: n.lastSeenAt} AS properties
