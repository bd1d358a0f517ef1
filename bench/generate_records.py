"""Synthetic customer data for measurements: a thin wrapper around `graphcdp generate`.

    python bench/generate_records.py --people N [--seed S] [--out DIR] [--no-touchpoints] ...

takes the same options and writes the same files (DIR/records.jsonl, touchpoints.jsonl, truth.jsonl,
manifest.json); the generator itself is graphcdp.datagen (README: Generating test data).
"""

from __future__ import annotations

import sys

from graphcdp.cli import main

if __name__ == "__main__":
    sys.exit(main(["generate", *sys.argv[1:]]))
