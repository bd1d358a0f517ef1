// TombstoneSalt.name is unique (and indexed): two processes making the graph's salt at once keep one.
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT tombstone_salt_name_unique IF NOT EXISTS FOR (n:TombstoneSalt) REQUIRE n.name IS UNIQUE
