// Removes the membership edges of persons retired by a merge or emptied by a split: they are members of
// nothing (their survivor is evaluated instead), and no exit event is written for them.
// mode: write
// params: persons
// returns: removed
UNWIND $persons AS retired
MATCH (p:Person {id: retired})-[m:IN]->(:Segment)
WHERE p.mergedInto IS NOT NULL OR coalesce(p.emptied, false) = true
WITH collect(m) AS gone
FOREACH (m IN gone | DELETE m)
RETURN size(gone) AS removed
