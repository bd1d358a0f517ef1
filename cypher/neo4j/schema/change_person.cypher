// Range index on Change.personId: an erasure finds her events through it.
// mode: write
// params: none
// returns: none
CREATE INDEX change_person IF NOT EXISTS FOR (n:Change) ON (n.personId)
