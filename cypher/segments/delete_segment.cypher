// Removes a segment and its membership edges, and raises the version of the stored segments
// (segments/segments_version) that processes' cached copies check.
// mode: write
// params: key, now
// returns: removed
MATCH (s:Segment {key: $key})
WITH collect(s) AS gone
FOREACH (s IN gone | DETACH DELETE s)
MERGE (v:SegmentCatalog {name: 'segments'})
ON CREATE SET v.createdAt = $now
SET v.version = coalesce(v.version, 0) + 1
RETURN size(gone) AS removed
