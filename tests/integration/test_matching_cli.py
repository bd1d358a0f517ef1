"""`graphcdp matching train | rescore` end to end: the commands open the embedded database the settings
name, train on what is stored there, store the model, and rescore and rematch under it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from graphcdp.cli import main
from graphcdp.identity.matching.spec import load_model
from graphcdp.identity.service import IdentityService
from graphcdp.settings import load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from tests.conftest import catalog
from tests.identity_helpers import partition
from tests.integration.test_matching import national_id_model, national_id_people

PEOPLE = 60
T = TypeVar("T")


async def _on_the_database(work: Callable[[FalkorDBStore], Awaitable[T]]) -> T:
    """`work` on the embedded database the commands use (the test catalog has the statements that check)."""
    settings = load_settings()
    server = EmbeddedFalkorDB(settings.data_dir)
    await server.start()
    try:
        store = await FalkorDBStore.connect(server.url, settings.graph, catalog("falkordb"))
        try:
            return await work(store)
        finally:
            await store.close()
    finally:
        await server.stop()


def _ingest(records: list[dict[str, Any]]) -> set[frozenset[str]]:
    async def ingest(store: FalkorDBStore) -> set[frozenset[str]]:
        await store.ensure_schema()
        identity = IdentityService(store, load_settings())
        for start in range(0, len(records), 60):
            assert (await identity.upsert_records(records[start : start + 60])).errors == []
        return await partition(store)

    return asyncio.run(_on_the_database(ingest))


def _partition() -> set[frozenset[str]]:
    return asyncio.run(_on_the_database(partition))


def _rescore_report(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    main(["matching", "rescore", "--json", *extra])
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    return report


def test_train_then_rescore_and_apply_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    model_file = tmp_path / "model.json"
    model_file.write_text(json.dumps(national_id_model()))
    monkeypatch.setenv("GRAPHCDP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRAPHCDP_MATCHING_MODEL", str(model_file))
    records, truth = national_id_people(PEOPLE)
    assert len(_ingest(records)) == 2 * PEOPLE  # untrained: nobody is linked yet
    untrained = _rescore_report(capsys)["model"]

    main(["matching", "train", "--random-pairs", "5000", "--dry-run"])
    assert "not stored (--dry-run)" in capsys.readouterr().out
    assert _rescore_report(capsys)["model"] == untrained  # a dry run changes nothing

    out = tmp_path / "trained.json"
    main(["matching", "train", "--random-pairs", "5000", "--out", str(out)])
    printed = capsys.readouterr().out
    assert f"trained on {2 * PEOPLE:,} records" in printed and "stored as model version 1" in printed
    written = load_model(out)
    assert written.trained is not None and written.trained.blocked_pairs > 0

    report = _rescore_report(capsys)
    assert report["model"] != untrained and str(report["model"]).endswith("@1")
    changes = {(c["from"], c["to"]): c["pairs"] for c in report["changes"]}  # type: ignore[attr-defined]
    assert changes.get(("POSSIBLE_MATCH", "MATCHED"), 0) > 0
    assert len(_partition()) == 2 * PEOPLE  # rescore without --apply writes nothing

    applied = _rescore_report(capsys, "--apply", "--no-progress")
    assert applied["rematched"] == 2 * PEOPLE
    assert _partition() == truth
