// Record.key is unique (and indexed).
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT record_key_unique IF NOT EXISTS FOR (n:Record) REQUIRE n.key IS UNIQUE
