"""Privacy: purpose-based consent (erasure and export come with it)."""
