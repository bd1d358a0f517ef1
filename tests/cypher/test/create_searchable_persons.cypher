// Test-only: persons p1..p$count whose searchable text is "person<n>", created before any index exists.
// mode: write
// params: count
// returns: created
UNWIND range(1, $count) AS n
CREATE (:Person {id: 'p' + toString(n), search: 'person' + toString(n)})
RETURN count(*) AS created
