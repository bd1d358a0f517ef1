// Tombstone.hash is unique (and indexed).
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT tombstone_hash_unique IF NOT EXISTS FOR (n:Tombstone) REQUIRE n.hash IS UNIQUE
