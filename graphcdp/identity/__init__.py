"""Identifiers: normalization, validation and the per-type policy (priority, limit, blocklist)."""
