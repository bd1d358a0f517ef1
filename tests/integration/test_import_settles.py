"""`graphcdp import` settles the graph once it has written (docs/performance.md, "Writes slow down with every edge
written"): a service on the same database then writes at the speed of a freshly loaded graph. A dry run writes
nothing, so it does not settle."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from graphcdp.cli import main
from tests.identity_helpers import rec_item

SETTLED = "settled the graph's pending changes"
RECORDS = [rec_item("crm", f"c{i}", 1000 + i, ("email", f"person{i}@example.com")) for i in range(3)]


def _settles(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "graphcdp.store.falkordb" and SETTLED in r.getMessage()]


@pytest.mark.parametrize("dry_run", [False, True])
def test_an_import_settles_the_graph_it_wrote(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    dry_run: bool,
) -> None:
    monkeypatch.setenv("GRAPHCDP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRAPHCDP_SETTLE_AFTER_ITEMS", "0")  # the setting's "never" does not apply to an import
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(item) + "\n" for item in RECORDS), encoding="utf-8")
    caplog.set_level(logging.INFO, logger="graphcdp.store.falkordb")

    assert main(["import", str(records), *(["--dry-run"] if dry_run else [])]) == 0

    out = capsys.readouterr().out
    assert ("3 stored" in out) != dry_run, out
    assert len(_settles(caplog)) == (0 if dry_run else 1)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("graphcdp.store")]


def test_the_service_settles_after_every_thousand_items_by_default(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """GRAPHCDP_SETTLE_AFTER_ITEMS defaults to 1,000 (docs/performance.md, "The settle on by default"): 2,000
    records in batches of 500 settle after the 1,000th and the 2,000th, and once more as the import ends."""
    monkeypatch.setenv("GRAPHCDP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GRAPHCDP_SETTLE_AFTER_ITEMS", raising=False)
    many = [rec_item("crm", f"m{i}", 1000 + i, ("email", f"many{i}@example.com")) for i in range(2000)]
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(item) + "\n" for item in many), encoding="utf-8")
    caplog.set_level(logging.INFO, logger="graphcdp.store.falkordb")

    assert main(["import", str(records), "--batch-size", "500"]) == 0

    assert "2000 stored" in capsys.readouterr().out.replace(",", "")
    assert len(_settles(caplog)) == 3
