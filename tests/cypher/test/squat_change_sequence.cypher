// Test-only: takes a sequence the change feed is about to use, so the next statement that appends an event fails
// on the uniqueness of Change.sequence (a write statement failing halfway).
// mode: write
// params: sequence
// returns: sequence
CREATE (c:Change {sequence: $sequence, kind: 'CREATED', personId: 'squatter', at: 0, data: '{}'})
RETURN c.sequence AS sequence
