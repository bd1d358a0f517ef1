// Test-only: identifiers refused in links (how often, and whether that made them shared).
// mode: read
// params: none
// returns: key, shared, rejections
MATCH (i:Identifier)
WHERE coalesce(i.rejections, 0) > 0 OR coalesce(i.shared, false)
RETURN i.key AS key, coalesce(i.shared, false) AS shared, coalesce(i.rejections, 0) AS rejections
ORDER BY key
