"""The command line of privacy on the real embedded database: `graphcdp export person` writes the subject
export (owner-only file), and `graphcdp import` refuses an erased person's records as SUPPRESSED."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import pytest

from graphcdp.cli import main
from graphcdp.settings import load_settings
from graphcdp.wiring import open_services
from tests.identity_helpers import rec_item
from tests.privacy_helpers import ADA_EMAIL, T0, ingest_ada_and_bob


async def _ingest() -> str:
    async with open_services(load_settings()) as services:
        return await ingest_ada_and_bob(services)


async def _audit_trail() -> list[tuple[str, str, str]]:
    async with open_services(load_settings()) as services:
        return [(e.actor, e.action, e.target) for e in await services.audit.entries(10)]


async def _forget(person: str) -> None:
    async with open_services(load_settings()) as services:
        await services.privacy.forget_person(person)


def test_export_person_and_import_after_erasure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRAPHCDP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRAPHCDP_ERASURE_COMPACTION", "0")
    ada = asyncio.run(_ingest())
    out = tmp_path / "ada.json"

    assert main(["export", "person", "--id", ada, "-o", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["person"]["id"] == ada
    assert f"email:{ADA_EMAIL}" in {i["key"] for i in document["identifiers"]}
    capsys.readouterr()
    assert main(["export", "person", "--id", ada]) == 0
    assert json.loads(capsys.readouterr().out)["person"]["id"] == ada
    assert asyncio.run(_audit_trail()) == [("cli", "person.exported", ada)] * 2

    asyncio.run(_forget(ada))
    assert main(["export", "person", "--id", ada]) == 2
    assert "no person has this id" in capsys.readouterr().err

    lines = tmp_path / "replay.jsonl"
    replay = [
        rec_item("crm", "cust-ada-771", T0, ("email", ADA_EMAIL)),
        rec_item("crm", "newcomer-1", T0, ("email", "newcomer.pq@example.com")),
    ]
    lines.write_text("".join(json.dumps(item) + "\n" for item in replay), encoding="utf-8")
    assert main(["import", str(lines)]) == 0
    assert "1 stored" in capsys.readouterr().out
    rejects = [json.loads(x) for x in (tmp_path / "replay.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["code"]) for r in rejects] == [(1, "SUPPRESSED")]
