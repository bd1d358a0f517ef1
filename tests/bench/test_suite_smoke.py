"""`graphcdp bench all` (what `make bench` runs) end to end at a tiny size, so it cannot rot: every step's
JSON, the scaling sizes, and real PNG plots. Nothing here looks at a time."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graphcdp.cli import main
from graphcdp.errors import StartupError
from graphcdp.settings import load_settings
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp_bench import graphs
from graphcdp_bench.datagen import GeneratorConfig, write_dataset
from graphcdp_bench.lookup import lookup_table
from graphcdp_bench.scaling import probe_records
from graphcdp_bench.suite import SuiteConfig, run_suite
from graphcdp_bench.upsert_latency import upsert_table

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.usefixtures("in_process_servers")
async def test_the_whole_suite_writes_every_result_and_its_plot(tmp_path: Path) -> None:
    out, printed = tmp_path / "results", []
    config = SuiteConfig(
        people=30,
        seed=2,
        batch_size=40,
        lookup_clients=(1, 2),
        lookup_queries=10,
        upsert_clients=(1, 2),
        upserts=10,
        scaling_sizes=(),  # as `make bench`: the scaling step has its own test (the scaling command's)
        progress=False,
    )
    results = await run_suite(load_settings(), config, out=out, work=tmp_path / "work", say=printed.append)

    for name in ("ingest", "lookup", "upsert", "upsertWithoutMatching", "suite"):
        assert json.loads((out / f"{name}.json").read_text()) == results[name]
    assert results["ingest"]["quality"]["truePeople"] == 30
    _check_upserts(results["upsert"])
    _check_lookups(results["lookup"])
    # Matching is on by default, so the same upserts ran again at one client with it off, and the served
    # process really ran without it: nothing was scored.
    baseline = results["upsertWithoutMatching"]
    assert baseline["matching"] is False and set(baseline["clients"]) == {"1"}
    assert sum(baseline["actions"].values()) == 10
    assert baseline["scored"] == {"pairsScored": 0, "matched": 0, "possible": 0, "upsertsWithCandidates": 0}
    assert "matching off" in upsert_table(baseline)
    assert "scaling" not in results and not (out / "scaling.json").exists()
    data = (out / "latency.png").read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 10_000
    assert len(printed) == 5 and "all benchmarks in" in printed[-1]
    assert not (tmp_path / "work" / "falkordb").exists()  # the benchmark database is removed afterwards


def _ordered(summary: dict[str, Any], count: int) -> None:
    assert summary["count"] == count
    assert 0 < summary["p50"] <= summary["p95"] <= summary["p99"] <= summary["max"]
    assert summary["requestsPerSecond"] > 0


def _rows_by_clients(table: str) -> set[str]:
    return {line.split()[0] for line in table.splitlines() if line.split() and line.split()[0].isdigit()}


def _check_upserts(upsert: dict[str, Any]) -> None:
    assert upsert["upserts"] == 10 and set(upsert["clients"]) == {"1", "2"}
    for summary in upsert["clients"].values():
        _ordered(summary, 10)
    # Every timed upsert is counted once; new people are created, linking records merge two persons.
    assert sum(upsert["actions"].values()) == 20
    assert upsert["actions"].get("CREATED", 0) > 0 and upsert["actions"].get("MERGED", 0) > 0
    assert "UNCHANGED" not in upsert["actions"]
    assert _rows_by_clients(upsert_table(upsert)) == {"1", "2"}
    # Beside the raw MERGE of the same records, level by level.
    assert set(upsert["raw"]) == {"1", "2"}
    for clients, ratio in upsert["ratio"].items():
        _ordered(upsert["raw"][clients], 10)
        assert ratio["p50"] == round(upsert["clients"][clients]["p50"] / upsert["raw"][clients]["p50"], 2)
    # Matching is on (the default): the records carry the traits of people of the graph, so it meets real
    # blocks and scores candidates.
    assert upsert["matching"] is True
    assert upsert["scored"]["pairsScored"] > 0 and 0 < upsert["scored"]["upsertsWithCandidates"] <= 20
    assert "candidate pairs scored" in upsert_table(upsert)
    # What each upsert cost the database, beside a raw MERGE (the in-process service is this test's own process:
    # not measured).
    # Counted in the kernel's ticks (10 ms): a level of a dozen raw MERGEs may cost less than one.
    for clients in ("1", "2"):
        assert upsert["clients"][clients]["cpuMsPerRequest"]["database"] >= 0
        assert "service" not in upsert["clients"][clients]["cpuMsPerRequest"]
        assert upsert["raw"][clients]["cpuMsPerRequest"]["database"] >= 0
    assert sum(upsert["clients"][clients]["cpuMsPerRequest"]["database"] for clients in ("1", "2")) > 0
    assert "CPU per upsert: database" in upsert_table(upsert) and "raw MERGE: database" in upsert_table(upsert)


def _check_lookups(lookup: dict[str, Any]) -> None:
    assert lookup["queries"] == 10
    for side in ("graphcdp", "raw"):
        assert set(lookup[side]) == {"1", "2"}
        for summary in lookup[side].values():
            _ordered(summary, 10)
    for clients, ratio in lookup["ratio"].items():
        assert ratio["p50"] == round(lookup["graphcdp"][clients]["p50"] / lookup["raw"][clients]["p50"], 2)
        assert ratio["p50"] > 0 and ratio["requestsPerSecond"] > 0
    assert _rows_by_clients(lookup_table(lookup)) == {"1", "2"}


async def test_a_benchmark_database_that_dies_leaves_its_log_in_the_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database directory is removed after every run, log included: a crash report must survive it.
    out, work, printed = tmp_path / "results", tmp_path / "work", []
    config = SuiteConfig(people=10, batch_size=40, upsert_clients=(1,), scaling_sizes=(), progress=False)
    started: list[EmbeddedFalkorDB] = []

    class Watched(EmbeddedFalkorDB):
        async def start(self) -> None:
            await super().start()
            started.append(self)

    monkeypatch.setattr(graphs, "EmbeddedFalkorDB", Watched)  # what bench_server starts

    def stop_the_database_after_the_ingest(text: str) -> None:
        printed.append(text)
        if len(printed) == 1:  # the ingest table: the server dies before the lookups
            (server,) = started
            with contextlib.suppress(redis.ConnectionError):  # it drops the connection as it exits
                # No retries: the dropped connection is the expected answer, not one to try again.
                redis.Redis(port=server.port, password=server.password, retry=Retry(NoBackoff(), 0)).shutdown(
                    nosave=True
                )
            deadline = time.monotonic() + 20
            while server.failure() is None:  # until it has exited, as the suite will see it
                assert time.monotonic() < deadline, "the benchmark database did not stop"
                time.sleep(0.01)

    with pytest.raises(StartupError, match="the benchmark database stopped after the ingest step"):
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


@pytest.mark.usefixtures("in_process_servers")
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
    for size in result["sizes"]:
        assert size["upsert"]["graphcdp"]["count"] == 3 and size["upsert"]["raw"]["count"] == 3
        assert size["lookup"]["graphcdp"]["count"] == 3 and size["lookup"]["raw"]["count"] == 3
        assert size["seed"]["records"] > size["people"] and size["seed"]["persons"] > 0
        # FalkorDB reports memory in whole megabytes: a graph this small may read as 0.
        assert size["memory"]["mb"] >= 0 and isinstance(size["memory"]["bytesPerPerson"], int)
    assert set(result["growth"]) == {"upsert", "lookup"}
    data = (out / "scaling.png").read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 10_000
    assert not left_over.exists()


def _people_rows(table: str) -> list[str]:
    """The people column of a scaling table's rows (the header line is the table's second line)."""
    return [line.split()[0] for line in table.splitlines()[2:] if line.split() and line.split()[0].isdigit()]


def test_upserts_measured_on_the_graph_an_ingest_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database, out, data = tmp_path / "kept", tmp_path / "results", tmp_path / "set"
    manifest = write_dataset(data, GeneratorConfig(people=12, seed=3), progress=False)
    ingest = ["bench", "ingest", "--data", str(data), "--batch-size", "40", "--keep", str(database), "--out", str(out)]
    assert main(ingest) == 0
    assert (database / "appendonlydir").exists()  # the database stays for later measurements
    # Both sides imported every record and touchpoint; graphcdp's clusters are scored against the truth.
    ingested = json.loads((out / "ingest.json").read_text())
    for side in ("graphcdp", "raw"):
        assert ingested[side]["records"]["items"] == manifest["records"]
        assert ingested[side]["touchpoints"]["items"] == manifest["touchpoints"]
    assert set(ingested["ratio"]) == {"records", "touchpoints"}
    assert ingested["quality"]["truePeople"] == 12 and ingested["quality"]["missing"] == 0
    # What each item cost in CPU, graphcdp's Python and the database's, beside the raw side's. The database's is
    # counted in the kernel's ticks (10 ms): a few dozen raw items may cost less than one.
    for side in ("graphcdp", "raw"):
        for kind in ("records", "touchpoints"):
            spent = ingested[side][kind]["cpuMsPerItem"]
            assert spent["python"] > 0 and spent["database"] >= 0
    assert sum(ingested["graphcdp"][kind]["cpuMsPerItem"]["database"] for kind in ("records", "touchpoints")) > 0
    table = capsys.readouterr().out
    assert "records" in table and "quality: precision" in table and "CPU per item, ms: python" in table

    kept = {f.name: f.read_bytes() for f in (database / "appendonlydir").iterdir()}
    upsert = ["bench", "upsert", "--database", str(database), "--clients", "1", "--requests", "16", "--out", str(out)]
    assert main(upsert) == 0
    # Measured on a copy: the upserts do not pile up in the kept graph, so the next run measures the same.
    assert {f.name: f.read_bytes() for f in (database / "appendonlydir").iterdir()} == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept", "results", "set"]
    result = json.loads((out / "upsert.json").read_text())
    # The imported graph has match keys, so matching scores candidates: what a seeded graph cannot show.
    # (8 logins to sampled persons: some sampled persons are anonymous, with no traits to compare.)
    assert result["clients"]["1"]["count"] == 16 and result["scored"]["pairsScored"] > 0
    # `graphcdp serve` ran as a process of its own: what each upsert cost it is measured too (in 10 ms ticks).
    spent = result["clients"]["1"]["cpuMsPerRequest"]
    assert spent["service"] > 0 and spent["database"] >= 0
    capsys.readouterr()

    # The start on the kept graph, beside the database's load: the repairs forced, after a clean stop, after a kill.
    assert main(["bench", "start", "--database", str(database), "--out", str(out)]) == 0
    assert {f.name: f.read_bytes() for f in (database / "appendonlydir").iterdir()} == kept
    started = json.loads((out / "start.json").read_text())
    assert started["databaseLoadSeconds"] > 0
    assert [(name, s["repaired"]) for name, s in started["starts"].items()] == [
        ("repair", True),
        ("clean", False),
        ("killed", True),
    ]
    assert "after a killed run" in capsys.readouterr().out

    assert main(["bench", "lookup", "--database", str(tmp_path / "nothing"), "--out", str(out)]) == 2
    assert "holds no database" in capsys.readouterr().err
