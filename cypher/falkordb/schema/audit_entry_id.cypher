// Range index on AuditEntry.id; the uniqueness constraint on it is added by the store after this index exists.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:AuditEntry) ON (n.id)
