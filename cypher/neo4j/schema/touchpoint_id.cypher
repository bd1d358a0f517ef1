// Touchpoint.id is unique (and indexed).
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT touchpoint_id_unique IF NOT EXISTS FOR (n:Touchpoint) REQUIRE n.id IS UNIQUE
