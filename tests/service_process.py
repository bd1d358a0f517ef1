"""`graphcdp serve` (and other graphcdp commands) as real processes, for the tests that run them as a user
does: the command line, its environment, readiness, start-up errors, and whether a pid is still alive."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

GRAPHCDP = [sys.executable, "-m", "graphcdp.cli"]
# The admin key the tests' services are given (GRAPHCDP_ADMIN_KEY), and the header their clients send: the suite
# runs with authentication on, as users do.
TEST_ADMIN_KEY = "gcdp_test-admin-key-for-the-test-suite-only-000000"
AUTH_HEADERS = {"Authorization": f"Bearer {TEST_ADMIN_KEY}"}
# `graphcdp serve` closes a connection idle this long (uvicorn's default, which it keeps). httpx keeps an idle
# connection just as long by default, so a request sent as the service closes it meets a closed socket
# (RemoteProtocolError or ReadError): the fuzzing test's rarely used fourth connection met one in CI.
# The tests' clients drop theirs well before (tests/api/test_keep_alive.py).
SERVICE_KEEP_ALIVE = uvicorn.Config(app=None).timeout_keep_alive
CLIENT_KEEP_ALIVE = SERVICE_KEEP_ALIVE / 2  # how long the tests' clients keep an idle connection


def client_limits(connections: int = 20) -> httpx.Limits:
    """Connection limits for a client of a test's service: idle connections dropped before the service drops them."""
    return httpx.Limits(
        max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=CLIENT_KEEP_ALIVE
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def service_environment(**values: str) -> dict[str, str]:
    """This process's environment without any GRAPHCDP_ setting, plus the test admin key (the service's, and the
    one `graphcdp import --url` sends), plus `values`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHCDP_")}
    env.update(GRAPHCDP_ADMIN_KEY=TEST_ADMIN_KEY, GRAPHCDP_API_KEY=TEST_ADMIN_KEY)
    env.update(GRAPHCDP_WORKERS="1")  # one process unless a test asks for more (tests/api/test_workers_serve.py)
    env.update(values)
    return env


def wait_ready(url: str, process: subprocess.Popen[str], timeout: float = 30) -> None:
    """Return once the service at `url` answers /readyz with 200; fail if it exits or takes too long."""
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
    raise AssertionError(f"service did not become ready within {timeout} s")


def start_up_error(cwd: Path, *args: str, **env: str) -> str:
    """The one `graphcdp: …` line `graphcdp serve` prints when it refuses to start (exit code 2, no traceback)."""
    result = subprocess.run(
        [*GRAPHCDP, "serve", *args],
        env=service_environment(**env),
        cwd=cwd,
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


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is dead for our purposes. Its /proc entry can also vanish between
    # the two looks (reaped meanwhile): dead too. Reaped between opening and reading, the read fails with ESRCH.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def children(pid: int, command_holding: str) -> list[int]:
    """The children of `pid` whose command line holds `command_holding`. A child that exits between the listing and
    the read of its command line is left out: the test that kills `serve --workers`' processes polls this while
    they die (tests/unit/test_children.py)."""
    found = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            command = Path(f"/proc/{child}/cmdline").read_text()
        except (FileNotFoundError, ProcessLookupError):  # gone, or reaped between opening and reading
            continue
        if command_holding in command:
            found.append(int(child))
    return found


def wait_dead(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


@contextmanager
def running_service(work_dir: Path, timeout: float = 60, **settings: str) -> Iterator[str]:
    """Start the service with its data in `work_dir`, its log in `work_dir/serve.log` (and `settings`, GRAPHCDP_*
    variables); yield its base URL once /readyz answers 200."""
    port = free_port()
    env = service_environment(GRAPHCDP_PORT=str(port), GRAPHCDP_DATA_DIR=str(work_dir / "data"), **settings)
    url = f"http://127.0.0.1:{port}"
    with (work_dir / "serve.log").open("w") as log:
        process = subprocess.Popen([*GRAPHCDP, "serve"], env=env, cwd=work_dir, stdout=log, stderr=log, text=True)
        try:
            try:
                wait_ready(url, process, timeout)
            except AssertionError as exc:
                raise AssertionError(f"{exc}; its log: {(work_dir / 'serve.log').read_text()}") from None
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def embedded_database_in_a_child(data_dir: Path) -> tuple[subprocess.Popen[str], int]:
    """A Python process that starts an embedded FalkorDB on `data_dir` and then waits: the process, and the
    database's pid (for tests that kill the parent and watch what happens to its database)."""
    script = textwrap.dedent(
        f"""
        import asyncio
        from pathlib import Path
        from graphcdp.store.embedded import EmbeddedFalkorDB

        async def main():
            server = EmbeddedFalkorDB(Path({str(data_dir)!r}))
            await server.start()
            print(server.pid, flush=True)
            await asyncio.sleep(60)

        asyncio.run(main())
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    return parent, int(parent.stdout.readline())
