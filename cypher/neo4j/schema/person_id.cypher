// Person.id is unique (and indexed).
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT person_id_unique IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE
