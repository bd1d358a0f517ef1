"""The embedded FalkorDB child process: start, persistence, ports, locks, faults, orphans."""

from __future__ import annotations

import asyncio
import math
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis.asyncio as redis

from graphcdp.errors import StartupError
from graphcdp.settings import load_settings
from graphcdp.store import embedded as embedded_module
from graphcdp.store import open_store
from graphcdp.store.cypher import Query, StatementName
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore
from tests.conftest import catalog
from tests.service_process import alive, embedded_database_in_a_child, wait_dead

MERGE = Query(StatementName("test/merge_identifier"), dict)
LONG_WRITE = Query(StatementName("test/long_write"), dict)
REDIS_DEFAULT_BUSY_S = 5.0  # busy-reply-threshold, redis' default
KEYS = Query(StatementName("test/identifier_keys"), dict)


async def _open(data_dir: Path, port: int = 0) -> FalkorDBStore:
    server = EmbeddedFalkorDB(data_dir, preferred_port=port)
    await server.start()
    return await FalkorDBStore.connect(server.url, "persist", catalog("falkordb"), embedded=server)


async def test_data_survives_a_restart_over_the_same_directory(tmp_path: Path) -> None:
    store = await _open(tmp_path)
    assert store.embedded is not None
    first_pid = store.embedded.pid
    await store.ensure_schema()
    await store.run(MERGE, {"key": "email:ada@example.com", "type": "email"})
    await store.close()
    assert first_pid is not None and wait_dead(first_pid)
    assert (tmp_path / "appendonlydir").is_dir()

    store = await _open(tmp_path)
    try:
        assert store.embedded is not None and store.embedded.pid != first_pid
        assert await store.run(KEYS, {}) == [{"key": "email:ada@example.com"}]
    finally:
        await store.close()


async def test_taken_port_picks_another(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy_port = taken.getsockname()[1]
        store = await _open(tmp_path, port=busy_port)
        try:
            assert store.embedded is not None
            assert store.embedded.port != busy_port
            assert (await store.health()).ok
        finally:
            await store.close()


async def test_free_preferred_port_is_used(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = await _open(tmp_path, port=port)
    try:
        assert store.embedded is not None and store.embedded.port == port
    finally:
        await store.close()


async def test_a_data_directory_is_used_by_one_process_at_a_time(tmp_path: Path) -> None:
    store = await _open(tmp_path)
    try:
        with pytest.raises(
            StartupError, match=f"{tmp_path}.*in use by another graphcdp process \\(pid {os.getpid()}\\)"
        ):
            await EmbeddedFalkorDB(tmp_path).start()
    finally:
        await store.close()
    # Once released, it can be used again.
    await (await _open(tmp_path)).close()


async def test_unusable_data_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StartupError, match=r"not usable.*GRAPHCDP_DATA_DIR"):
        await EmbeddedFalkorDB(blocker / "data").start()


async def test_health_turns_red_with_how_the_child_ended_when_it_dies(tmp_path: Path) -> None:
    store = await _open(tmp_path)
    try:
        assert store.embedded is not None and store.embedded.pid is not None
        os.kill(store.embedded.pid, signal.SIGKILL)
        assert wait_dead(store.embedded.pid)
        health = await store.health()
        assert not health.ok
        assert "was killed by SIGKILL" in health.detail
        assert "Ready to accept connections" not in health.detail  # not its log: a crash dump holds data
    finally:
        await store.close()


async def test_a_write_running_past_redis_busy_threshold_does_not_kill_the_server(tmp_path: Path) -> None:
    """Every write goes inside MULTI/EXEC. Redis 8.2 with its default busy-reply-threshold (5 s) served a command
    that arrived while such a write had run longer than that from inside the EXEC, asserted '!server.in_exec' and
    exited (a 100,000-people segment benchmark lost its database so). The other command now waits its turn."""
    store = await _open(tmp_path)
    try:
        assert store.embedded is not None
        pid = store.embedded.pid
        started = time.perf_counter()
        await store.run(LONG_WRITE, {"rounds": 1})
        one_round = time.perf_counter() - started
        # Long enough, on this machine, to be running well past redis' default threshold when the PING comes.
        rounds = math.ceil((REDIS_DEFAULT_BUSY_S + 3) / one_round)
        started = time.perf_counter()
        write = asyncio.create_task(store.run(LONG_WRITE, {"rounds": rounds}))
        await asyncio.sleep(REDIS_DEFAULT_BUSY_S + 1)
        assert not write.done()
        health = await store.health()
        assert (await write)[0]["total"] > 0
        assert time.perf_counter() - started > REDIS_DEFAULT_BUSY_S + 1
        assert health.ok, health.detail
        assert store.embedded.pid == pid and store.embedded.available
    finally:
        await store.close()


def test_killing_the_service_leaves_no_orphan(tmp_path: Path) -> None:
    """SIGKILL gives the parent no chance to clean up; the kernel must stop the child for it."""
    parent, child_pid = embedded_database_in_a_child(tmp_path)
    assert alive(child_pid)
    parent.kill()
    parent.wait()
    assert wait_dead(child_pid), f"embedded FalkorDB pid {child_pid} outlived its killed parent"


@pytest.mark.parametrize(("rewrite_aof", "percentage"), [(True, "100"), (False, "0")])
async def test_a_throw_away_server_never_forks_to_rewrite_its_append_only_file(
    tmp_path: Path, rewrite_aof: bool, percentage: str
) -> None:
    server = EmbeddedFalkorDB(tmp_path, rewrite_aof=rewrite_aof)
    await server.start()
    try:
        client = redis.Redis.from_url(server.url.replace("falkor://", "redis://"), decode_responses=True)
        assert await client.config_get("auto-aof-rewrite-percentage") == {"auto-aof-rewrite-percentage": percentage}
        assert await client.config_get("appendonly") == {"appendonly": "yes"}  # still persisted
        await client.aclose()
    finally:
        await server.stop()


def _write_append_only_file(data_dir: Path, commands: list[list[bytes]]) -> None:
    """An append-only file of the given commands, as redis would have written it (no base snapshot)."""
    folder = data_dir / "appendonlydir"
    folder.mkdir(parents=True)
    with (folder / "appendonly.aof.1.incr.aof").open("wb") as out:
        for args in commands:
            out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    (folder / "appendonly.aof.manifest").write_text("file appendonly.aof.1.incr.aof seq 1 type i\n")


async def test_a_start_waits_while_the_data_set_loads_however_long_that_takes(tmp_path: Path) -> None:
    # 1,500 busy scripts take seconds to replay, with no answer for a second or more at a time.
    busy = b"local i = 0 while i < 300000 do i = i + 1 end return 1"
    _write_append_only_file(tmp_path, [[b"EVAL", busy, b"0"]] * 1500 + [[b"SET", b"loaded", b"yes"]])
    # 2 s: a loaded machine may take half a second just to start redis-server, before any loading
    server = EmbeddedFalkorDB(tmp_path, start_timeout=2.0)
    started = time.monotonic()
    await server.start()
    try:
        assert time.monotonic() - started > 2.0  # it did outlast the time-out, answering LOADING meanwhile
        client = redis.Redis.from_url(server.url.replace("falkor://", "redis://"), decode_responses=True)
        assert await client.get("loaded") == "yes"
        await client.aclose()
    finally:
        await server.stop()


async def test_a_server_that_gives_no_answer_times_out_with_its_log(tmp_path: Path) -> None:
    server = EmbeddedFalkorDB(tmp_path, start_timeout=1.0)
    server._spawn = lambda port: subprocess.Popen(["sleep", "30"])  # type: ignore[method-assign]
    with pytest.raises(StartupError, match=r"gave no sign of life for 1s \(raise GRAPHCDP_EMBEDDED_START_TIMEOUT\)"):
        await server.start()
    assert server.pid is None  # stopped again


async def test_the_schema_goes_into_the_base_of_the_append_only_file(tmp_path: Path) -> None:
    # FalkorDB builds a snapshot's indexes while loading it, a replayed command's only at the end: a crash
    # after many writes must find the indexes in the base, or every replayed query scans.
    store = await _open(tmp_path)
    assert store.embedded is not None and store.embedded.pid is not None
    await store.ensure_schema()
    for n in range(20):
        await store.run(MERGE, {"key": f"email:{n}@example.com", "type": "email"})
    os.kill(store.embedded.pid, signal.SIGKILL)  # a crash: no compaction on the way out
    assert wait_dead(store.embedded.pid)
    await store.close()
    manifest = (tmp_path / "appendonlydir" / "appendonly.aof.manifest").read_text()
    assert " type b" in manifest

    store = await _open(tmp_path)
    try:
        start_log = store.embedded.log_tail(60) if store.embedded else ""
        assert "Done decoding graph persist" in start_log  # the graph, indexes and all, came from the base
        assert "DB loaded from incr file" in start_log  # and the writes after it were replayed
        assert len(await store.run(KEYS, {})) == 20
    finally:
        await store.close()


@pytest.mark.parametrize("rewrite_aof", [True, False])
async def test_a_clean_stop_compacts_what_was_written_since_the_last_rewrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rewrite_aof: bool
) -> None:
    monkeypatch.setattr(embedded_module, "COMPACT_ON_STOP_BYTES", 0)
    server = EmbeddedFalkorDB(tmp_path, rewrite_aof=rewrite_aof)
    await server.start()
    store = await FalkorDBStore.connect(server.url, "persist", catalog("falkordb"), embedded=server)
    await store.ensure_schema()
    await store.run(MERGE, {"key": "email:ada@example.com", "type": "email"})
    await store.close()
    incremental = next((tmp_path / "appendonlydir").glob("*.incr.aof"))
    # A throw-away graph (rewrite_aof=False) is not worth the fork: its writes stay in the incremental part.
    assert (incremental.stat().st_size == 0) is rewrite_aof

    store = await _open(tmp_path)
    try:
        assert await store.run(KEYS, {}) == [{"key": "email:ada@example.com"}]
    finally:
        await store.close()


async def _pending_changes_held(server: EmbeddedFalkorDB) -> int:
    client = redis.Redis.from_url(server.url.replace("falkor://", "redis://"), decode_responses=True)
    try:
        _, held = await client.execute_command("GRAPH.CONFIG", "GET", "DELTA_MAX_PENDING_CHANGES")
    finally:
        await client.aclose()
    return int(held)


@pytest.mark.parametrize("configured", [None, 500])
async def test_the_server_holds_as_many_pending_matrix_changes_as_it_is_given(
    tmp_path: Path, configured: int | None
) -> None:
    # How many changes FalkorDB holds apart decides what every write pays (docs/performance.md, "Pending changes
    # and GraphBLAS's hash").
    server = (
        EmbeddedFalkorDB(tmp_path) if configured is None else EmbeddedFalkorDB(tmp_path, max_pending_changes=configured)
    )
    await server.start()
    try:
        assert await _pending_changes_held(server) == (configured or embedded_module.MAX_PENDING_CHANGES)
    finally:
        await server.stop()


async def test_the_services_database_holds_as_many_pending_changes_as_configured(tmp_path: Path) -> None:
    store = await open_store(load_settings(data_dir=tmp_path, embedded_max_pending_changes=250))
    try:
        assert isinstance(store, FalkorDBStore) and store.embedded is not None
        assert await _pending_changes_held(store.embedded) == 250
    finally:
        await store.close()
