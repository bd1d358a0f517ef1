"""`graphcdp bench all` (what `make bench` runs) end to end at a tiny size, so it cannot rot: every step's
JSON, the scaling sizes, and real PNG plots. Nothing here looks at a time."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import pytest
import redis

from graphcdp.cli import main
from graphcdp.errors import StartupError
from graphcdp.settings import load_settings
from graphcdp_bench.scaling import probe_records
from graphcdp_bench.suite import SuiteConfig, run_suite

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def test_the_whole_suite_writes_every_result_and_both_plots(tmp_path: Path) -> None:
    out, printed = tmp_path / "results", []
    config = SuiteConfig(
        people=30,
        seed=2,
        batch_size=40,
        lookup_clients=(1, 3),
        lookup_queries=12,
        upsert_clients=(1, 2),
        upserts=8,
        scaling_sizes=(15, 30),
        scaling_probes=6,
        progress=False,
    )
    results = await run_suite(load_settings(), config, out=out, work=tmp_path / "work", say=printed.append)

    for name in ("ingest", "lookup", "upsert", "upsertWithoutMatching", "scaling", "suite"):
        assert json.loads((out / f"{name}.json").read_text()) == results[name]
    assert results["ingest"]["quality"]["truePeople"] == 30
    assert set(results["lookup"]["graphcdp"]) == {"1", "3"} and set(results["upsert"]["clients"]) == {"1", "2"}
    # Matching is on by default, so the same upserts ran again at one client with it off.
    assert results["upsert"]["matching"] is True and results["upsertWithoutMatching"]["matching"] is False
    assert set(results["upsertWithoutMatching"]["clients"]) == {"1"}
    sizes = results["scaling"]["sizes"]
    assert [s["people"] for s in sizes] == [15, 30]
    for size in sizes:
        assert size["upsert"]["graphcdp"]["count"] == 6 and size["upsert"]["raw"]["count"] == 6
        assert size["lookup"]["graphcdp"]["count"] == 6
        assert size["seed"]["records"] > size["people"] and size["seed"]["persons"] > 0
        # FalkorDB reports memory in whole megabytes: a graph this small may read as 0.
        assert size["memory"]["mb"] >= 0 and isinstance(size["memory"]["bytesPerPerson"], int)
    for plot in ("latency.png", "scaling.png"):
        data = (out / plot).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 10_000
    assert len(printed) == 6 and "all benchmarks in" in printed[-1]
    assert not (tmp_path / "work" / "falkordb").exists()  # the benchmark database is removed afterwards


async def test_a_benchmark_database_that_dies_leaves_its_log_in_the_results(tmp_path: Path) -> None:
    # The database directory is removed after every run, log included: a crash report must survive it.
    out, work, printed = tmp_path / "results", tmp_path / "work", []
    config = SuiteConfig(people=10, batch_size=40, upsert_clients=(1,), scaling_sizes=(), progress=False)

    def stop_the_database_after_the_ingest(text: str) -> None:
        printed.append(text)
        if len(printed) == 1:  # the ingest table: the server dies before the lookups
            log = (work / "falkordb" / "falkordb.log").read_text()
            port = int(re.findall(r"port=(\d+)", log)[-1])
            with contextlib.suppress(redis.ConnectionError):  # it drops the connection as it exits
                redis.Redis(port=port).shutdown(nosave=True)

    with pytest.raises(StartupError):
        await run_suite(load_settings(), config, out=out, work=work, say=stop_the_database_after_the_ingest)
    kept = out / "falkordb-crash.log"
    assert f"its log is in {kept}" in printed[-1]
    assert "User requested shutdown" in kept.read_text()
    assert not (work / "falkordb").exists()


def test_probe_records_alternate_new_people_and_existing_identifiers() -> None:
    existing = [("email", "a@example.com"), ("phone", "+4915112345678")]
    records = probe_records(existing, 6, seed=4)
    assert len({(r["source"], r["sourceId"]) for r in records}) == 6
    for n, record in enumerate(records):
        values = {i["value"] for i in record["identifiers"]}
        if n % 2:
            assert values & {v for _, v in existing}
        else:
            assert not values & {v for _, v in existing}
    assert probe_records(existing, 6, seed=4) == records  # seeded


def test_the_scaling_command_keeps_each_size_as_it_finishes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work, out = tmp_path / "work", tmp_path / "results"
    left_over = work / "falkordb-scaling" / "left-over"  # what an interrupted run leaves
    left_over.parent.mkdir(parents=True)
    left_over.write_text("x")

    main(["bench", "scaling", "--sizes", "12,20", "--probes", "3", "--work", str(work), "--out", str(out)])

    printed = capsys.readouterr().out
    # The table is printed after each size: once with 12 people, then with both.
    assert printed.count("scaling: p50 per operation") == 2
    tables = printed.split("scaling: p50 per operation")[1:]
    assert [_people_rows(table) for table in tables] == [["12"], ["12", "20"]]
    result = json.loads((out / "scaling.json").read_text())
    assert [size["people"] for size in result["sizes"]] == [12, 20]
    assert (out / "scaling.png").read_bytes().startswith(PNG_MAGIC)
    assert not left_over.exists()


def _people_rows(table: str) -> list[str]:
    """The people column of a scaling table's rows (the header line is the table's second line)."""
    return [line.split()[0] for line in table.splitlines()[2:] if line.split() and line.split()[0].isdigit()]


def test_upserts_measured_on_the_graph_an_ingest_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database, out = tmp_path / "kept", tmp_path / "results"
    ingest = ["bench", "ingest", "--people", "25", "--batch-size", "40", "--keep", str(database), "--out", str(out)]
    assert main(ingest) == 0
    assert (database / "appendonlydir").exists()  # the database stays for later measurements

    kept = {f.name: f.read_bytes() for f in (database / "appendonlydir").iterdir()}
    upsert = ["bench", "upsert", "--database", str(database), "--clients", "1", "--requests", "30", "--out", str(out)]
    assert main(upsert) == 0
    # Measured on a copy: the upserts do not pile up in the kept graph, so the next run measures the same.
    assert {f.name: f.read_bytes() for f in (database / "appendonlydir").iterdir()} == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept", "results"]
    result = json.loads((out / "upsert.json").read_text())
    # The imported graph has match keys, so matching scores candidates: what a seeded graph cannot show.
    # (15 logins to sampled persons: some sampled persons are anonymous, with no traits to compare.)
    assert result["clients"]["1"]["count"] == 30 and result["scored"]["pairsScored"] > 0
    capsys.readouterr()

    assert main(["bench", "lookup", "--database", str(tmp_path / "nothing"), "--out", str(out)]) == 2
    assert "holds no database" in capsys.readouterr().err
