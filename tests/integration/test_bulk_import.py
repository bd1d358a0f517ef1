"""`graphcdp import` end to end: a real embedded database, a file with bad lines, a safe re-run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.service_process import GRAPHCDP, service_environment

LINES = [
    {"source": "crm", "sourceId": "1", "identifiers": [{"type": "email", "value": "a@x.com"}], "observedAt": 1},
    {"source": "web", "sourceId": "2", "identifiers": [{"type": "email", "value": "A@X.COM"}], "observedAt": 2},
    "this line is not JSON",
    {"source": "web", "sourceId": "3", "identifiers": [{"type": "phone", "value": "12"}]},
    {"source": "pos", "sourceId": "4", "identifiers": [{"type": "cookie_id", "value": "k"}], "observedAt": 4},
]


def test_import_stores_good_lines_rejects_bad_ones_and_reruns_safely(tmp_path: Path) -> None:
    source = tmp_path / "records.jsonl"
    source.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in LINES) + "\n")
    env = service_environment(GRAPHCDP_DATA_DIR=str(tmp_path / "data"))

    def run() -> str:
        command = [*GRAPHCDP, "import", str(source)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert "rec/s" in done.stderr  # the progress bar
        return done.stdout

    first = run()
    assert "5 records, 3 stored, 0 unchanged, 2 rejected" in first
    rejects = [json.loads(line) for line in (tmp_path / "records.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["code"]) for r in rejects] == [(3, "INVALID_JSON"), (4, "INVALID_PHONE")]
    assert rejects[0]["input"] == "this line is not JSON"

    again = run()
    assert "0 stored, 3 unchanged, 2 rejected" in again


TOUCHPOINT_LINES = [
    {"id": "pv1", "type": "page_view", "occurredAt": 1000, "identifiers": [{"type": "cookie_id", "value": "k"}]},
    {"id": "o1", "type": "order", "occurredAt": 2000, "amount": 9.5,
     "identifiers": [{"type": "email", "value": "a@x.com"}]},
    {"id": "bad", "type": "page_view", "occurredAt": "soon", "identifiers": [{"type": "cookie_id", "value": "k"}]},
    {"id": "l1", "type": "login", "occurredAt": 3000,
     "identifiers": [{"type": "cookie_id", "value": "k"}, {"type": "email", "value": "a@x.com"}]},
]  # fmt: skip


def test_import_of_touchpoints_links_and_rejects_like_the_api(tmp_path: Path) -> None:
    source = tmp_path / "events.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in TOUCHPOINT_LINES) + "\n")
    env = service_environment(GRAPHCDP_DATA_DIR=str(tmp_path / "data"))
    command = [*GRAPHCDP, "import", "--touchpoints", str(source)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "imported 4 touchpoints, 3 stored, 0 unchanged, 1 rejected" in done.stdout
    rejects = [json.loads(line) for line in (tmp_path / "events.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["code"]) for r in rejects] == [(3, "INVALID_DATE")]
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "0 stored, 3 unchanged, 1 rejected" in again.stdout
    refused = subprocess.run([*command, "--dry-run"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode == 2 and "--touchpoints reads JSON Lines" in refused.stderr
