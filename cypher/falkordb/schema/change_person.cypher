// Range index on Change.personId: an erasure finds her events through it.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:Change) ON (n.personId)
