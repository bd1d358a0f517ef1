// Every stored segment, by key.
// mode: read
// params: none
// returns: key, name, description, definition, fingerprint, dependencies, references, timeDependent, createdAt, updatedAt
MATCH (s:Segment)
RETURN s.key AS key, s.name AS name, s.description AS description, s.definition AS definition,
       s.fingerprint AS fingerprint, s.dependencies AS dependencies, s.references AS references,
       s.timeDependent AS timeDependent, s.createdAt AS createdAt, s.updatedAt AS updatedAt
ORDER BY key
