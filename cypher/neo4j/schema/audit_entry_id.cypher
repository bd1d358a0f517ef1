// AuditEntry.id is unique (and indexed).
// mode: write
// params: none
// returns: none
CREATE CONSTRAINT audit_entry_id_unique IF NOT EXISTS FOR (n:AuditEntry) REQUIRE n.id IS UNIQUE
