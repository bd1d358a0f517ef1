// Which of these identifiers have touchpoints or consent statements hanging off them: a person gaining one of
// these from no person gains its activity too, so her touchpoint and consent segments are re-evaluated.
// Only touchpoints make BY edges to identifiers and only consent statements FOR edges.
// mode: read
// params: keys
// returns: key
UNWIND $keys AS k
MATCH (i:Identifier {key: k})
WHERE (i)<-[:BY]-() OR (i)<-[:FOR]-()
RETURN i.key AS key
