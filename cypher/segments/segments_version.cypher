// The version of the stored segments: when the catalog node was made and how many saves and deletes it has
// seen. A process's cached copy of the segments is current while both are unchanged.
// mode: read
// params: none
// returns: created, version
OPTIONAL MATCH (v:SegmentCatalog {name: 'segments'})
RETURN coalesce(v.createdAt, 0) AS created, coalesce(v.version, 0) AS version
