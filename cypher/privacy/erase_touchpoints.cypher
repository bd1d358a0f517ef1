// Removes the touchpoints (orders among them) reached only through erased identifiers: every identifier
// that can link (not a blocked placeholder) they were done with is erased. A touchpoint also done with an
// identifier that stays (a household email) stays with it.
// mode: write
// params: identifiers
// returns: removed
UNWIND $identifiers AS key
MATCH (:Identifier {key: key})<-[:BY]-(t:Touchpoint)
WITH DISTINCT t
WITH t, [(t)-[:BY]->(i:Identifier) WHERE NOT coalesce(i.blocked, false) AND NOT i.key IN $identifiers | i.key] AS kept
WITH t WHERE size(kept) = 0
WITH collect(t) AS gone
FOREACH (t IN gone | DETACH DELETE t)
RETURN size(gone) AS removed
