// The live persons whose membership in a time-dependent segment can have changed between two sweeps
// (graphcdp/segments/sweep_windows.py): those with a touchpoint whose time lies in one of $windows (an
// order, in one of $orderWindows), or a trait facet between the bounds of one of $birthWindows (birthDate
// facets). Every window is [from, to], both included; a superset of the persons that can have changed.
// mode: read
// params: windows, orderWindows, birthWindows, order
// returns: person
MATCH (t:Touchpoint)
WHERE any(w IN $windows WHERE t.occurredAt >= w[0] AND t.occurredAt <= w[1])
   OR (t.type = $order AND any(w IN $orderWindows WHERE t.occurredAt >= w[0] AND t.occurredAt <= w[1]))
MATCH (t)-[:BY]->(:Identifier)-[:OF]->(p:Person)
WHERE p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
RETURN DISTINCT p.id AS person
UNION
MATCH (p:Person)
WHERE size($birthWindows) > 0 AND p.mergedInto IS NULL AND coalesce(p.emptied, false) = false
  AND any(f IN coalesce(p.traitFacets, []) WHERE any(w IN $birthWindows WHERE f >= w[0] AND f <= w[1]))
RETURN p.id AS person
