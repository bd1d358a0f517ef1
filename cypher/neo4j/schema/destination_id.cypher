// Destination.id is unique (and indexed): webhook destinations.
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT destination_id_unique IF NOT EXISTS FOR (n:Destination) REQUIRE n.id IS UNIQUE
