"""Exports of audiences to files (`graphcdp export segment`), consent-filtered (docs/segments.md#exporting)."""
