// MatchModel.version is unique (and indexed).
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT match_model_version_unique IF NOT EXISTS FOR (n:MatchModel) REQUIRE n.version IS UNIQUE
