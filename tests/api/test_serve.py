"""`graphcdp serve` as a user runs it: a real process, real uvicorn, real HTTP, clean start-up errors."""

from __future__ import annotations

import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service_process import (
    AUTH_HEADERS,
    GRAPHCDP,
    alive,
    free_port,
    service_environment,
    start_up_error,
    wait_dead,
    wait_ready,
)


def _embedded_pid(data_dir: Path) -> int:
    # The child's own log names its pid: "<pid>:M ... Ready to accept connections".
    lines = [line for line in (data_dir / "falkordb.log").read_text().splitlines() if "Ready to accept" in line]
    return int(lines[-1].split(":", 1)[0])


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str], Path]]:
    port = free_port()
    data_dir = tmp_path / "data"
    env = service_environment(GRAPHCDP_PORT=str(port), GRAPHCDP_DATA_DIR=str(data_dir))
    process = subprocess.Popen([*GRAPHCDP, "serve"], env=env, cwd=tmp_path, text=True, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, process)
        yield url, process, data_dir
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_answers_graphql_and_stops_cleanly(service: tuple[str, subprocess.Popen[str], Path]) -> None:
    url, process, data_dir = service
    query = {"query": "{ version health { database ok } }"}
    body = httpx.post(f"{url}/graphql", json=query, headers=AUTH_HEADERS, timeout=5).json()
    assert body["data"]["health"] == {"database": "embedded", "ok": True}
    assert "graphiql" in httpx.get(f"{url}/graphql", headers={"accept": "text/html"}, timeout=5).text.lower()

    child = _embedded_pid(data_dir)
    assert alive(child)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert wait_dead(child), "the embedded database outlived the service"
    assert "Traceback" not in (process.stderr.read() if process.stderr else "")


def test_wrong_backend_is_one_clear_line(tmp_path: Path) -> None:
    line = start_up_error(tmp_path, GRAPHCDP_BACKEND="mysql")
    assert "GRAPHCDP_BACKEND" in line and "'embedded', 'falkordb' or 'neo4j'" in line


def test_unusable_data_directory_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    line = start_up_error(tmp_path, "--port", str(free_port()), GRAPHCDP_DATA_DIR=str(tmp_path / "file" / "data"))
    assert "not usable" in line and "GRAPHCDP_DATA_DIR" in line


def test_unreachable_neo4j_is_one_clear_line(tmp_path: Path) -> None:
    dead = free_port()
    line = start_up_error(
        tmp_path, "--port", str(free_port()), GRAPHCDP_BACKEND="neo4j", GRAPHCDP_NEO4J_URI=f"bolt://127.0.0.1:{dead}"
    )
    assert f"cannot reach Neo4j at bolt://127.0.0.1:{dead}" in line and "GRAPHCDP_NEO4J_URI" in line


def test_unreachable_falkordb_is_one_clear_line(tmp_path: Path) -> None:
    dead = free_port()
    line = start_up_error(
        tmp_path,
        "--port",
        str(free_port()),
        GRAPHCDP_BACKEND="falkordb",
        GRAPHCDP_FALKORDB_URL=f"falkor://127.0.0.1:{dead}",
    )
    assert f"cannot reach FalkorDB at falkor://127.0.0.1:{dead}" in line


def test_service_port_clash_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = start_up_error(tmp_path, "--port", str(port))
    assert f"cannot listen on 127.0.0.1:{port}" in line and "GRAPHCDP_PORT" in line
    assert not (tmp_path / "data").exists(), "nothing should start when the port is taken"
