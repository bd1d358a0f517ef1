// Creates or replaces a segment's definition (its members are evaluated by the compiled refresh after), and
// raises the version of the stored segments (segments/segments_version) that processes' cached copies check.
// mode: write
// params: key, name, description, definition, fingerprint, dependencies, references, timeDependent, now
// returns: key, name, description, definition, fingerprint, dependencies, references, timeDependent, createdAt, updatedAt
MERGE (s:Segment {key: $key})
ON CREATE SET s.createdAt = $now
SET s.name = $name, s.description = $description, s.definition = $definition, s.fingerprint = $fingerprint,
    s.dependencies = $dependencies, s.references = $references, s.timeDependent = $timeDependent,
    s.updatedAt = $now
MERGE (v:SegmentCatalog {name: 'segments'})
ON CREATE SET v.createdAt = $now
SET v.version = coalesce(v.version, 0) + 1
RETURN s.key AS key, s.name AS name, s.description AS description, s.definition AS definition,
       s.fingerprint AS fingerprint, s.dependencies AS dependencies, s.references AS references,
       s.timeDependent AS timeDependent, s.createdAt AS createdAt, s.updatedAt AS updatedAt
