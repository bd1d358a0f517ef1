"""`graphcdp export segment` on the real embedded database: a segment's members as JSON lines or CSV (owner-only
file), each once across pages, with the chosen golden traits and identifiers; with --purpose, only members whose
consent in force is GRANTED; the export is in the audit trail; mistakes exit 2 with one line."""

from __future__ import annotations

import asyncio
import csv
import json
import stat
from pathlib import Path

import pytest

from graphcdp.cli import main
from graphcdp.exports import segment as segment_export
from graphcdp.model.profiles import ConsentStatus
from graphcdp.privacy.consent import ConsentRequest
from graphcdp.settings import load_settings
from graphcdp.wiring import open_services
from tests.identity_helpers import rec

T0 = 1_700_000_000_000


async def _prepare() -> dict[str, str]:
    """Gold: ada (consents), bob (denied), cy (never asked), eve (consents by sms only); dee is silver."""
    async with open_services(load_settings()) as services:
        await services.segments.save("gold", {"trait": "tier", "eq": "gold"})
        ids = {}
        for n, (name, tier) in enumerate(
            [("ada", "gold"), ("bob", "gold"), ("cy", "gold"), ("dee", "silver"), ("eve", "gold")]
        ):
            identifiers = [("email", f"{name}@example.com"), ("phone", f"+4420794601{n:02d}")]
            out = await services.identity.upsert_records(
                [rec("crm", name, T0, *identifiers, name=name.title(), tier=tier)]
            )
            ids[name] = out.results[0].person_id
        for email, channel, status in [
            ("ada@example.com", "email", ConsentStatus.GRANTED),
            ("bob@example.com", "email", ConsentStatus.DENIED),
            ("eve@example.com", "sms", ConsentStatus.GRANTED),
        ]:
            await services.profiles.set_consent(
                ConsentRequest("email", email, "marketing", channel, status, None, None)
            )
        return ids


async def _audit_actions() -> list[tuple[str, str]]:
    async with open_services(load_settings()) as services:
        return [(e.action, e.target) for e in await services.audit.entries(20)]


def test_export_segment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GRAPHCDP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(segment_export, "PAGE", 2)  # several pages
    ids = asyncio.run(_prepare())
    gold = {ids[n] for n in ("ada", "bob", "cy", "eve")}

    lines_file = tmp_path / "gold.jsonl"
    assert main(["export", "segment", "gold", "-o", str(lines_file), "--quiet"]) == 0
    assert stat.S_IMODE(lines_file.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in lines_file.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["id"] for line in lines) == sorted(gold)  # each member once, nobody else
    ada = next(line for line in lines if line["id"] == ids["ada"])
    assert ada["traits"] == {"name": "Ada", "tier": "gold"}
    assert ada["identifiers"]["email"] == ["ada@example.com"] and len(ada["identifiers"]["phone"]) == 1
    assert "exported 4 of the 4 members of gold" in capsys.readouterr().err

    table = tmp_path / "gold.csv"
    args = ["export", "segment", "gold", "--format", "csv", "--fields", "name,email", "--purpose", "Marketing"]
    assert main([*args, "-o", str(table), "--quiet"]) == 0
    rows = list(csv.reader(table.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["id", "name", "email"]
    assert sorted(rows[1:]) == sorted([[ids["ada"], "Ada", "ada@example.com"], [ids["eve"], "Eve", "eve@example.com"]])
    assert "exported 2 of the 4 members of gold, 2 passed over" in capsys.readouterr().err

    assert main([*args, "--channel", "email", "--quiet"]) == 0  # on standard output
    out = capsys.readouterr().out.splitlines()
    assert out == ["id,name,email", f"{ids['ada']},Ada,ada@example.com"]

    assert main(["export", "segment", "gold", "--format", "csv"]) == 2
    assert "--format csv needs --fields" in capsys.readouterr().err
    assert main(["export", "segment", "nope"]) == 2
    assert "no segment has the key 'nope'" in capsys.readouterr().err
    assert main(["export", "segment", "gold", "--channel", "email"]) == 2
    assert "--channel needs --purpose" in capsys.readouterr().err
    assert asyncio.run(_audit_actions()).count(("segment.exported", "gold")) == 3
