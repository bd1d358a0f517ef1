// Test-only: a write that runs for a while ($rounds times 16 million rows summed) before it creates one node.
// mode: write
// params: rounds
// returns: total
UNWIND range(1, $rounds) AS r
UNWIND range(1, 4000) AS a
UNWIND range(1, 4000) AS b
WITH sum(a + b) AS total
CREATE (:Busy {total: total})
RETURN total
