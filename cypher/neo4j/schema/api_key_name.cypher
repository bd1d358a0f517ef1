// ApiKey.name is unique (and indexed).
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT api_key_name_unique IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.name IS UNIQUE
