// Appends one entry to the audit trail: who (a key's name), what (an action), on what (a non-personal target).
// mode: write
// params: id, at, actor, action, target
// returns: none
CREATE (:AuditEntry {id: $id, at: $at, actor: $actor, action: $action, target: $target})
