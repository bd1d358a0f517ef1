"""Uniqueness keys of the graph model (DESIGN section 3).

Neo4j creates them from cypher/neo4j/schema/; FalkorDB indexes them from cypher/falkordb/schema/ and
then adds its own uniqueness constraint, which is a database command rather than Cypher.
"""

UNIQUE_KEYS: tuple[tuple[str, str], ...] = (
    ("Identifier", "key"),
    ("Record", "key"),
    ("Person", "id"),
    ("Touchpoint", "id"),
    ("Consent", "id"),
    ("MatchKey", "key"),
    ("MatchModel", "version"),
)
