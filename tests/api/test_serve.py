"""`graphcdp serve` as a user runs it: a real process, real uvicorn, real HTTP, clean start-up errors."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.test_embedded import _alive, _wait_dead

GRAPHCDP = [sys.executable, "-m", "graphcdp.cli"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHCDP_")}
    env.update(values)
    return env


def _wait_ready(url: str, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"service exited early: {process.communicate()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("service did not become ready")


def _embedded_pid(data_dir: Path) -> int:
    # The child's own log names its pid: "<pid>:M ... Ready to accept connections".
    lines = [line for line in (data_dir / "falkordb.log").read_text().splitlines() if "Ready to accept" in line]
    return int(lines[-1].split(":", 1)[0])


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str], Path]]:
    port = _free_port()
    data_dir = tmp_path / "data"
    env = _environment(GRAPHCDP_PORT=str(port), GRAPHCDP_DATA_DIR=str(data_dir))
    process = subprocess.Popen([*GRAPHCDP, "serve"], env=env, cwd=tmp_path, text=True, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url, process, data_dir
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_answers_graphql_and_stops_cleanly(service: tuple[str, subprocess.Popen[str], Path]) -> None:
    url, process, data_dir = service
    query = {"query": "{ version health { database ok } }"}
    body = httpx.post(f"{url}/graphql", json=query, timeout=5).json()
    assert body["data"]["health"] == {"database": "embedded", "ok": True}
    assert "graphiql" in httpx.get(f"{url}/graphql", headers={"accept": "text/html"}, timeout=5).text.lower()

    child = _embedded_pid(data_dir)
    assert _alive(child)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert _wait_dead(child), "the embedded database outlived the service"
    assert "Traceback" not in (process.stderr.read() if process.stderr else "")


def _start_up_error(tmp_path: Path, *args: str, **env: str) -> str:
    result = subprocess.run(
        [*GRAPHCDP, "serve", *args],
        env=_environment(**env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("graphcdp: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_wrong_backend_is_one_clear_line(tmp_path: Path) -> None:
    line = _start_up_error(tmp_path, GRAPHCDP_BACKEND="mysql")
    assert "GRAPHCDP_BACKEND" in line and "'embedded', 'falkordb' or 'neo4j'" in line


def test_unusable_data_directory_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    line = _start_up_error(tmp_path, "--port", str(_free_port()), GRAPHCDP_DATA_DIR=str(tmp_path / "file" / "data"))
    assert "not usable" in line and "GRAPHCDP_DATA_DIR" in line


def test_unreachable_neo4j_is_one_clear_line(tmp_path: Path) -> None:
    dead = _free_port()
    line = _start_up_error(
        tmp_path, "--port", str(_free_port()), GRAPHCDP_BACKEND="neo4j", GRAPHCDP_NEO4J_URI=f"bolt://127.0.0.1:{dead}"
    )
    assert f"cannot reach Neo4j at bolt://127.0.0.1:{dead}" in line and "GRAPHCDP_NEO4J_URI" in line


def test_unreachable_falkordb_is_one_clear_line(tmp_path: Path) -> None:
    dead = _free_port()
    line = _start_up_error(
        tmp_path,
        "--port",
        str(_free_port()),
        GRAPHCDP_BACKEND="falkordb",
        GRAPHCDP_FALKORDB_URL=f"falkor://127.0.0.1:{dead}",
    )
    assert f"cannot reach FalkorDB at falkor://127.0.0.1:{dead}" in line


def test_service_port_clash_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _start_up_error(tmp_path, "--port", str(port))
    assert f"cannot listen on 127.0.0.1:{port}" in line and "GRAPHCDP_PORT" in line
    assert not (tmp_path / "data").exists(), "nothing should start when the port is taken"
