"""`graphcdp import --url`: a file imported into a running `graphcdp serve` through its GraphQL API, with
the importer's rejects file, report and re-run, while the service holds its embedded database."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graphcdp.cli import main
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.profiles.touchpoint_input import ParsedTouchpoint, parse_touchpoint_item
from graphcdp.settings import load_settings
from tests.service_process import AUTH_HEADERS, GRAPHCDP, TEST_ADMIN_KEY, free_port, service_environment, wait_ready

LINES = [
    {"source": "crm", "sourceId": "1", "identifiers": [{"type": "email", "value": "a@x.com"}], "observedAt": 1},
    {"source": "web", "sourceId": "2", "identifiers": [{"type": "email", "value": "A@X.COM"}], "observedAt": 2},
    "this line is not JSON",
    {"source": "web", "sourceId": "3", "identifiers": [{"type": "phone", "value": "12"}]},
    # Decoded here as a local import decodes it: the unknown key ignored, nothing left to store.
    {"source": "web", "sourceId": "5", "identifiers": [], "colour": "blue"},
    {"source": "pos", "sourceId": "4", "identifiers": [{"type": "cookie_id", "value": "k"}], "observedAt": 4},
]
TOUCHPOINTS = [
    {"id": "pv1", "type": "page_view", "occurredAt": 1000, "identifiers": [{"type": "cookie_id", "value": "k"}]},
    {"id": "o1", "type": "order", "occurredAt": 2000, "amount": 9.5,
     "identifiers": [{"type": "email", "value": "a@x.com"}]},
    {"id": "bad", "type": "page_view", "occurredAt": "soon", "identifiers": [{"type": "cookie_id", "value": "k"}]},
    # Decoded here as a local import decodes it: the key a touchpoint does not have is ignored, and with no id
    # of its own it gets the content id a local import gives it (a replay either way is the same touchpoint).
    {"type": "page_view", "occurredAt": "1970-01-01T00:00:03Z", "colour": "blue", "channel": "WEB",
     "identifiers": [{"type": "cookie_id", "value": "k"}]},
]  # fmt: skip


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`graphcdp serve` on its own embedded database; its /graphql URL."""
    work = tmp_path_factory.mktemp("served")
    port = free_port()
    env = service_environment(
        GRAPHCDP_PORT=str(port), GRAPHCDP_DATA_DIR=str(work / "data"), GRAPHCDP_MAX_BATCH_SIZE="3"
    )
    process = subprocess.Popen([*GRAPHCDP, "serve"], env=env, cwd=work, text=True, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{port}", process)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """`graphcdp import --url` runs in this process: it sends the key of GRAPHCDP_API_KEY."""
    monkeypatch.setenv("GRAPHCDP_API_KEY", TEST_ADMIN_KEY)


def test_without_a_key_the_import_says_which_setting_to_give(
    served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRAPHCDP_API_KEY")
    source = _write(tmp_path / "records.jsonl", LINES)
    assert main(["import", str(source), "--url", served]) == 2
    assert "GRAPHCDP_API_KEY" in capsys.readouterr().err


def _write(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def _record_person(url: str, source: str, source_id: str) -> str | None:
    query = "query($s: String!, $i: String!) { record(source: $s, sourceId: $i) { person { id } } }"
    body = httpx.post(
        url, json={"query": query, "variables": {"s": source, "i": source_id}}, headers=AUTH_HEADERS, timeout=10
    ).json()
    record = body["data"]["record"]
    return record["person"]["id"] if record and record["person"] else None


def test_records_go_through_the_running_service(
    served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "records.jsonl", LINES)

    assert main(["import", str(source), "--url", served, "--batch-size", "2"]) == 0
    out, err = capsys.readouterr()
    assert "6 records, 3 stored, 0 unchanged, 3 rejected" in out
    assert "rec/s" in err  # the progress bar
    rejects = [json.loads(line) for line in (tmp_path / "records.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["code"]) for r in rejects] == [
        (3, "INVALID_JSON"),
        (4, "INVALID_PHONE"),
        (5, "EMPTY_RECORD"),
    ]
    # Stored by the service: the two records of one email are one person.
    assert _record_person(served, "crm", "1") == _record_person(served, "web", "2") is not None
    assert _record_person(served, "pos", "4") is not None

    assert main(["import", str(source), "--url", served, "--no-resume", "--batch-size", "2"]) == 0
    assert "0 stored, 3 unchanged, 3 rejected" in capsys.readouterr().out


def test_touchpoints_go_through_the_running_service(
    served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "events.jsonl", TOUCHPOINTS)
    assert main(["import", "--touchpoints", str(source), "--url", served]) == 0
    assert "imported 4 touchpoints, 3 stored, 0 unchanged, 1 rejected" in capsys.readouterr().out
    rejects = [json.loads(line) for line in (tmp_path / "events.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["code"]) for r in rejects] == [(3, "INVALID_DATE")]
    local = parse_touchpoint_item(3, TOUCHPOINTS[3], IdentifierPolicy.from_settings(load_settings()))
    assert isinstance(local, ParsedTouchpoint)
    query = '{ profile(identifier: {type: "cookie_id", value: "k"}) { journey(first: 10) { edges { node { id } } } } }'
    journey = httpx.post(served, json={"query": query}, headers=AUTH_HEADERS, timeout=10).json()["data"]["profile"][
        "journey"
    ]["edges"]
    assert local.id in [edge["node"]["id"] for edge in journey]


def test_a_batch_the_service_refuses_stops_the_import_in_one_line(
    served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "records.jsonl", [LINES[0], LINES[1], LINES[5], LINES[0]])
    assert main(["import", str(source), "--url", served, "--batch-size", "4"]) == 2  # the service takes 3
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith(f"graphcdp: graphcdp at {served} refused the batch: ") and "BATCH_TOO_LARGE" in err


def test_no_service_at_the_url_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/graphql"
    source = _write(tmp_path / "records.jsonl", LINES[:1])
    assert main(["import", str(source), "--url", url]) == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith(f"graphcdp: cannot reach graphcdp at {url} (") and "graphcdp serve" in err
