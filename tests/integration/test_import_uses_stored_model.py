"""`graphcdp import` matches under the model stored in the graph from its first batch.

It once built its identity service without the start-up step that reads the stored model, so for the
first GRAPHCDP_MATCHING_MODEL_REFRESH seconds (30) it matched with the shipped one (`default@0`).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from graphcdp.cli import main
from graphcdp.identity.matching.spec import DEFAULT_MODEL
from graphcdp.settings import load_settings
from graphcdp.wiring import open_services
from tests.conftest import TEST_CYPHER
from tests.identity_helpers import RECORD_CLUSTERS, rec_item

ADDRESS = {"postalCode": "10115", "street": "Invalidenstrasse 12", "city": "Berlin"}
CRM = rec_item("crm", "c1", 1000, ("email", "katherine.smith@example.com"), firstName="Katherine", lastName="Smith",
          birthDate="1980-03-14", address=ADDRESS)  # fmt: skip
# No identifier in common with the CRM contact: only probabilistic matching links them.
RECEIPT = rec_item("pos", "r1", 2000, firstName="Kathy", lastName="Smiht", birthDate="1980-03-14", address=ADDRESS)


async def _store_trained_model() -> int:
    model = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8")) | {"name": "trained-in-graph"}
    async with open_services(load_settings()) as services:
        return (await services.identity.set_matching_model(model)).version


async def _matched_rules() -> list[str]:
    async with open_services(load_settings(), cypher_roots=(TEST_CYPHER,)) as services:
        clusters = await services.store.run(RECORD_CLUSTERS, {})
        persons = {row["person"] for row in clusters if row["record"] == "pos:r1"}
        assert len(persons) == 1
        person = await services.identity.person(persons.pop())
    assert person is not None
    return [event.detail["rule"] for event in person.history if event.kind == "matched"]


def test_import_matches_under_the_stored_model_from_its_first_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRAPHCDP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GRAPHCDP_MATCHING_MODEL", raising=False)
    monkeypatch.setenv("GRAPHCDP_MATCHING_MODEL_REFRESH", "3600")  # no refresh can rescue a missed start
    version = asyncio.run(_store_trained_model())
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(item) + "\n" for item in (CRM, RECEIPT)), encoding="utf-8")

    assert main(["import", str(records), "--batch-size", "1"]) == 0
    assert "2 stored" in capsys.readouterr().out

    assert asyncio.run(_matched_rules()) == [f"trained-in-graph@{version}"]
