// Erasure: the change feed forgets a person. Her events go (found by the indexed personId of Change and of
// SegmentChange; in a SegmentChanges batch her id becomes '' and readers skip that sequence), and her ids in other
// persons' events (a split from her, a merge) become 'erased', as in their histories. Segment membership events
// hold only a segment key as data, never another person's id. The ERASED event the erasure then appends
// (privacy/erase_persons) is the one left naming her id, so systems downstream erase her too; it holds ids only.
// mode: write
// params: persons
// returns: removed, scrubbed
OPTIONAL MATCH (c:Change)
WHERE c.personId IN $persons
WITH collect(c) AS hers
OPTIONAL MATCH (s:SegmentChange)
WHERE s.personId IN $persons
WITH hers, collect(s) AS hersInSegments
FOREACH (c IN hers | DELETE c)
FOREACH (s IN hersInSegments | DELETE s)
WITH size(hers) + size(hersInSegments) AS removed
OPTIONAL MATCH (b:SegmentChanges)
WHERE any(id IN b.personIds WHERE id IN $persons)
WITH removed, collect(b) AS batches
WITH removed, batches,
     reduce(n = 0, b IN batches | n + size([id IN b.personIds WHERE id IN $persons])) AS hersInBatches
FOREACH (b IN batches | SET b.personIds = [id IN b.personIds | CASE WHEN id IN $persons THEN '' ELSE id END])
WITH removed + hersInBatches AS removed
OPTIONAL MATCH (o:Change)
WHERE any(id IN $persons WHERE o.data CONTAINS id)
WITH removed, collect(o) AS mentioning
FOREACH (o IN mentioning | SET o.data = reduce(text = o.data, id IN $persons | replace(text, id, 'erased')))
RETURN removed, size(mentioning) AS scrubbed
