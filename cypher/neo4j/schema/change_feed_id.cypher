// ChangeFeed.id is unique (and indexed): the feed's one counter node.
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT change_feed_id_unique IF NOT EXISTS FOR (n:ChangeFeed) REQUIRE n.id IS UNIQUE
