// Test-only: calls a function no database has, to see how a rejected statement is reported.
// mode: read
// params: none
// returns: none
RETURN no_such_function(1) AS x
