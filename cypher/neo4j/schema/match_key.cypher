// MatchKey.key is unique (and indexed).
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT match_key_unique IF NOT EXISTS FOR (n:MatchKey) REQUIRE n.key IS UNIQUE
