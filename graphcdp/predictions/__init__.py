"""Predictions from purchase history (BG/NBD and Gamma-Gamma) and value analytics across customers."""
