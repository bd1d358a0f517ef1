// The stored segments of these keys (unknown keys answer nothing).
// mode: read
// params: keys
// returns: key, name, description, definition, fingerprint, dependencies, references, timeDependent, createdAt, updatedAt
UNWIND $keys AS wanted
MATCH (s:Segment {key: wanted})
RETURN s.key AS key, s.name AS name, s.description AS description, s.definition AS definition,
       s.fingerprint AS fingerprint, s.dependencies AS dependencies, s.references AS references,
       s.timeDependent AS timeDependent, s.createdAt AS createdAt, s.updatedAt AS updatedAt
