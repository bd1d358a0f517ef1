"""`graphcdp import` refuses a line out of bounds (issue 17, findings 2, 7, 8) in its rejects file, as the API
refuses the item, and stores the others."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path
from typing import Any

from tests.service_process import GRAPHCDP, service_environment


def line(source_id: str, **extra: Any) -> dict[str, Any]:
    email = f"{source_id.encode().hex()}@example.com"  # one person each, whatever the id holds
    return {"source": "crm", "sourceId": source_id, "observedAt": 1_700_000_000_000,
            "identifiers": [{"type": "email", "value": email}], **extra}  # fmt: skip


LINES = [
    line("nan", observedAt=math.nan),  # json.dumps writes the bare NaN token Python's JSON reads back
    line("nul\x00"),
    line("long", traits={"lastName": "x" * 5000}),
    line("nul-trait", traits={"firstName": "a\x00b"}),
    line("y10k", observedAt=1e20),
    line("many", identifiers=[{"type": "cookie_id", "value": f"c{n}"} for n in range(51)]),
    line("fine", traits={"firstName": "Ada"}),
]


def test_import_rejects_lines_out_of_bounds_and_stores_the_rest(tmp_path: Path) -> None:
    source = tmp_path / "records.jsonl"
    source.write_text("\n".join(json.dumps(item) for item in LINES) + "\n")
    env = service_environment(GRAPHCDP_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(
        [*GRAPHCDP, "import", str(source)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "7 records, 1 stored, 0 unchanged, 6 rejected" in done.stdout
    rejects = [json.loads(r) for r in (tmp_path / "records.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["code"]) for r in rejects] == [
        (1, "INVALID_DATE"),
        (2, "INVALID_TEXT"),
        (3, "TRAIT_TOO_LONG"),
        (4, "INVALID_TEXT"),
        (5, "DATE_OUT_OF_RANGE"),
        (6, "TOO_MANY_IDENTIFIERS"),
    ]
