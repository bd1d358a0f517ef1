"""The embedded FalkorDB is private to the user running graphcdp: a password per start, and a data directory
no other local user can read (issue 16: it listened without a password, its files readable by everyone)."""

from __future__ import annotations

import logging
import socket
import stat
from pathlib import Path

import pytest
import redis.asyncio as redis

from graphcdp.errors import StartupError
from graphcdp.settings import load_settings
from graphcdp.store import open_store
from graphcdp.store.cypher import Query, StatementName
from graphcdp.store.embedded import EmbeddedFalkorDB
from graphcdp.store.falkordb import FalkorDBStore, without_password
from tests.conftest import catalog

MERGE = Query(StatementName("test/merge_identifier"), dict)


def raw(port: int, *lines: bytes) -> bytes:
    """What the server answers a client that sends `lines` (RESP inline commands) and nothing else."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b"".join(line + b"\r\n" for line in lines))
        answer = b""
        while answer.count(b"\r\n") < len(lines):
            chunk = conn.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer


def test_a_client_without_the_password_is_refused(embedded_falkordb: EmbeddedFalkorDB) -> None:
    assert len(embedded_falkordb.password) == 64  # 32 random bytes, hex
    assert raw(embedded_falkordb.port, b"PING").startswith(b"-NOAUTH")
    graph_query = b'GRAPH.QUERY g "MATCH (n) RETURN count(n)"'
    assert raw(embedded_falkordb.port, graph_query).startswith(b"-NOAUTH")
    assert raw(embedded_falkordb.port, b"AUTH not-the-password", b"PING").startswith(b"-WRONGPASS")
    assert raw(embedded_falkordb.port, b"AUTH " + embedded_falkordb.password.encode(), b"PING") == b"+OK\r\n+PONG\r\n"


async def test_the_password_is_new_at_every_start_and_no_process_listing_shows_it(tmp_path: Path) -> None:
    server = EmbeddedFalkorDB(tmp_path)
    await server.start()
    try:
        first = server.password
        # Not on the command line it was started with (redis later retitles itself, hiding its arguments),
        # nor in what `ps` shows now.
        assert server._process is not None
        assert "--port" in server._process.args
        assert not any(first in str(arg) for arg in server._process.args)
        assert first.encode() not in Path(f"/proc/{server.pid}/cmdline").read_bytes()
    finally:
        await server.stop()
    await server.start()
    try:
        assert server.password != first
        old = redis.Redis(host="127.0.0.1", port=server.port, password=first)
        with pytest.raises(redis.AuthenticationError):
            await old.ping()
        await old.aclose()
        assert await FalkorDBStore.connect(server.url, "g", catalog("falkordb")) is not None
    finally:
        await server.stop()


async def test_the_data_directory_and_every_file_in_it_are_private(tmp_path: Path) -> None:
    # A directory an older graphcdp left open, with a world-readable log in it.
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    (data_dir / "falkordb.log").write_text("an old line\n")
    (data_dir / "falkordb.log").chmod(0o644)
    server = EmbeddedFalkorDB(data_dir)
    await server.start()
    store = await FalkorDBStore.connect(server.url, "private", catalog("falkordb"), embedded=server)
    try:
        await store.ensure_schema()  # rewrites the append-only file: new files, written by the server
        await store.run(MERGE, {"key": "email:ada@example.com", "type": "email"})
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        files = sorted(data_dir.rglob("*"))
        assert {p.name for p in files} >= {"appendonlydir", "falkordb.log", ".graphcdp.lock"}
        assert any(p.suffix == ".aof" for p in files)
        readable_by_others = [f"{p.name} {stat.S_IMODE(p.stat().st_mode):o}" for p in files if p.stat().st_mode & 0o077]
        assert readable_by_others == []
    finally:
        await store.close()


async def test_a_new_data_directory_is_created_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"
    store = await open_store(load_settings(data_dir=data_dir, graph="fresh"))
    try:
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    finally:
        await store.close()


async def test_a_configured_password_lets_another_process_share_the_database(tmp_path: Path) -> None:
    password = 'a "quoted" pass\\word with spaces, an @, a / and a #'
    service = await open_store(load_settings(data_dir=tmp_path, graph="shared", embedded_password=password))
    try:
        assert isinstance(service, FalkorDBStore) and service.embedded is not None
        port = service.embedded.port
        # Another process, as docs/embedded-database.md shows it: a FalkorDB server with a password.
        other = await open_store(
            load_settings(
                backend="falkordb",
                falkordb_url=f"falkor://127.0.0.1:{port}",
                falkordb_password=password,
                graph="shared",
            )
        )
        await other.close()
        # The service's own URL carries the password, quoted.
        await (await FalkorDBStore.connect(service.embedded.url, "shared", catalog("falkordb"))).close()
        assert raw(port, b"PING").startswith(b"-NOAUTH")
    finally:
        await service.close()


async def test_no_message_or_log_line_shows_the_password(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = EmbeddedFalkorDB(tmp_path)
    await server.start()
    password = server.password
    await server.stop()
    assert "embedded FalkorDB pid" in caplog.text and password not in caplog.text
    assert password not in (tmp_path / "falkordb.log").read_text()
    # The server is gone: the start-up error names the URL without its password.
    with pytest.raises(StartupError) as refused:
        await FalkorDBStore.connect(server.url, "g", catalog("falkordb"))
    assert password not in refused.value.message and f"falkor://:***@{server.address}" in refused.value.message
    assert without_password("falkor://user:pw@host:1") == "falkor://user:***@host:1"
    assert without_password("falkor://host:1") == "falkor://host:1"
