// Change.sequence is unique (and indexed): the feed is read by sequence ranges.
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT change_sequence_unique IF NOT EXISTS FOR (n:Change) REQUIRE n.sequence IS UNIQUE
