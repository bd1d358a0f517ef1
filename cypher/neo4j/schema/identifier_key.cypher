// Identifier.key is unique (and indexed).
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT identifier_key_unique IF NOT EXISTS FOR (n:Identifier) REQUIRE n.key IS UNIQUE
