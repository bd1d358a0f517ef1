"""`graphcdp serve` as a real process on the embedded database, for tests that talk to it from outside Python
(the graphql-http audit in Node, GraphiQL in a browser)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

GRAPHCDP = Path(sys.executable).with_name("graphcdp")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_service(work_dir: Path, timeout: float = 60) -> Iterator[str]:
    """Start the service with its data in `work_dir`; yield its base URL once /readyz answers 200."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHCDP_")}
    env.update(GRAPHCDP_PORT=str(port), GRAPHCDP_DATA_DIR=str(work_dir / "data"))
    log = (work_dir / "serve.log").open("w")
    process = subprocess.Popen([str(GRAPHCDP), "serve"], env=env, cwd=work_dir, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"graphcdp serve exited: {(work_dir / 'serve.log').read_text()}")
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"graphcdp serve not ready after {timeout} s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
