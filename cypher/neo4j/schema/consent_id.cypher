// Consent.id is unique (and indexed).
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT consent_id_unique IF NOT EXISTS FOR (n:Consent) REQUIRE n.id IS UNIQUE
