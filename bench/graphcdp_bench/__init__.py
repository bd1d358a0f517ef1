"""Benchmarks (`graphcdp bench …`): measured as ratios against the raw database doing the same work in
the same run. Not tests: nothing here asserts a time."""
