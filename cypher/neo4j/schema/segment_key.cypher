// Segment.key is unique (and indexed).
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT segment_key_unique IF NOT EXISTS FOR (n:Segment) REQUIRE n.key IS UNIQUE
