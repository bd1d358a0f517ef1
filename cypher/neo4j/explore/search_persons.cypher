// Candidates of a person search on Neo4j (Lucene query syntax). Every term must match a word of the
// person's searchable text, as a prefix (t*) or within t.fuzz edits (t~n); best full-text score first,
// cut at $limit. A second branch adds the persons of identifiers equal to the query (indexed keys), so
// an exact email or phone is always a candidate. Retired persons are left out; the caller ranks the
// candidates.
// mode: read
// params: terms, limit, exactKeys, types
// returns: id, name, identifiers, score
CALL db.index.fulltext.queryNodes('person_search', reduce(q = '', t IN $terms | q + ' +(' + t.text + '*' +
  CASE WHEN t.fuzz > 0 THEN ' ' + t.text + '~' + toString(t.fuzz) ELSE '' END + ')'))
YIELD node, score
WHERE node.mergedInto IS NULL AND coalesce(node.emptied, false) = false
RETURN node.id AS id, node.name AS name,
       [(node)<-[:OF]-(i:Identifier) WHERE i.type IN $types | {type: i.type, value: i.value}] AS identifiers,
       score
ORDER BY score DESC, id
LIMIT $limit
UNION ALL
UNWIND $exactKeys AS k
MATCH (:Identifier {key: k})-[:OF]->(p:Person)
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
RETURN p.id AS id, p.name AS name,
       [(p)<-[:OF]-(j:Identifier) WHERE j.type IN $types | {type: j.type, value: j.value}] AS identifiers,
       null AS score
