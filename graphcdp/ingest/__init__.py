"""Bulk ingestion of files (`graphcdp import FILE`).

`readers` turns a JSON Lines or CSV file into upsert items (or per-line parse errors); `bulk` sends them to
the identity service in batches, with a progress bar, a rejects file and a checkpoint to resume from.
"""
