// Test-only: overwrites a touchpoint's amount and date, as an older build (or a hand edit) may have stored them.
// mode: write
// params: id, amount, at
// returns: id
MATCH (t:Touchpoint {id: $id})
SET t.amount = $amount, t.occurredAt = $at
RETURN t.id AS id
