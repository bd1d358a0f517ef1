"""Write a generated data set to a directory, streaming: memory stays bounded whatever the size.

    records.jsonl      one record per line, the shape `graphcdp import` reads
    touchpoints.jsonl  one TouchpointInput per line (`graphcdp import --touchpoints`); empty without them
    truth.jsonl        the true person of every record and touchpoint, and the shared identifiers
    manifest.json      seed, counts, and how much of each kind of mess went in

Records and touchpoints are written in a locally shuffled order (a shuffle buffer of `SHUFFLE_BUFFER`
lines), so the members of a household are not neighbours in the file; the truth is in generation order.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm  # type: ignore[import-untyped]

from graphcdp_bench.datagen.generator import MESS_KINDS, Generator, GeneratorConfig
from graphcdp_bench.datagen.quality import shared_line, truth_line

SHUFFLE_BUFFER = 20_000
FILES = {
    "records": "records.jsonl",
    "touchpoints": "touchpoints.jsonl",
    "truth": "truth.jsonl",
    "manifest": "manifest.json",
}
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_BUFFERING = 1 << 20


class _ShuffledWriter:
    """Writes lines in a locally shuffled order: each new line takes the place of a random buffered one."""

    def __init__(self, file: IO[str], rng: random.Random, size: int) -> None:
        self.file, self.rng, self.size = file, rng, size
        self.buffer: list[str] = []

    def add(self, line: str) -> None:
        if len(self.buffer) < self.size:
            self.buffer.append(line)
            return
        i = self.rng.randrange(self.size)
        self.file.write(self.buffer[i])
        self.buffer[i] = line

    def close(self) -> None:
        self.rng.shuffle(self.buffer)
        self.file.writelines(self.buffer)
        self.buffer = []


def write_dataset(
    out: Path,
    config: GeneratorConfig,
    progress: bool = True,
) -> dict[str, Any]:
    """Generate `config.people` people into `out` (created if needed); returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    generator = Generator(config)
    shuffle = random.Random(f"shuffle:{config.seed}")
    records = touchpoints = 0
    shared_kinds: dict[str, dict[str, int]] = {}
    with (
        (out / FILES["records"]).open("w", encoding="utf-8", buffering=_BUFFERING) as records_file,
        (out / FILES["touchpoints"]).open("w", encoding="utf-8", buffering=_BUFFERING) as touchpoints_file,
        (out / FILES["truth"]).open("w", encoding="utf-8", buffering=_BUFFERING) as truth_file,
        tqdm(
            total=config.people,
            desc="generate",
            unit=" people",
            disable=not progress,
            mininterval=0.5,
            file=sys.stderr,
            dynamic_ncols=True,
        ) as bar,
    ):
        record_lines = _ShuffledWriter(records_file, shuffle, SHUFFLE_BUFFER)
        touchpoint_lines = _ShuffledWriter(touchpoints_file, shuffle, SHUFFLE_BUFFER)
        for household in generator.households():
            for record, person, shared in household.records:
                record_lines.add(_ENCODE(record) + "\n")
                truth_file.write(truth_line("record", f"{record['source']}:{record['sourceId']}", person, shared))
            for touchpoint, person, shared in household.touchpoints:
                touchpoint_lines.add(_ENCODE(touchpoint) + "\n")
                truth_file.write(truth_line("touchpoint", touchpoint["id"], person, shared))
            for identifier in household.shared:
                truth_file.write(shared_line(identifier.key, identifier.kind, identifier.people))
                counts = shared_kinds.setdefault(identifier.kind, {"declared": 0, "heldBySeveral": 0})
                counts["declared"] += 1
                counts["heldBySeveral"] += len(identifier.people) > 1
            records += len(household.records)
            touchpoints += len(household.touchpoints)
            bar.update(household.people)
        record_lines.close()
        touchpoint_lines.close()

    tally = generator.tally
    manifest: dict[str, Any] = {
        "generator": "graphcdp_bench.datagen",
        "formatVersion": 1,
        "seed": config.seed,
        "people": config.people,
        "households": generator.population["households"],
        "records": records,
        "touchpoints": touchpoints,
        "touchpointsPerPerson": config.touchpoints_per_person if config.touchpoints else 0,
        "recordsBySource": dict(sorted(generator.records_by_source.items())),
        "touchpointsByType": dict(sorted(generator.touchpoints_by_type.items())),
        "sharedIdentifiers": dict(sorted(shared_kinds.items())),
        "population": dict(generator.population),
        "mess": {
            kind: {
                "injected": tally.hits[kind],
                "chances": tally.chances[kind],
                "rate": tally.rates[kind],
                "what": MESS_KINDS[kind],
            }
            for kind in MESS_KINDS
        },
        "files": FILES,
    }
    (out / FILES["manifest"]).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
