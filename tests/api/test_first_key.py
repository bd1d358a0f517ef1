"""`graphcdp serve` on a fresh data directory with no key anywhere prints one admin key, once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx

from tests.service_process import GRAPHCDP, free_port, service_environment, wait_ready


def _serve_once(data_dir: Path, cwd: Path) -> str:
    """Start the service without GRAPHCDP_ADMIN_KEY, stop it once ready; its stderr."""
    port = free_port()
    env = service_environment(GRAPHCDP_PORT=str(port), GRAPHCDP_DATA_DIR=str(data_dir))
    del env["GRAPHCDP_ADMIN_KEY"]
    url = f"http://127.0.0.1:{port}"
    with (cwd / "stderr.log").open("w") as err:
        process = subprocess.Popen([*GRAPHCDP, "serve"], env=env, cwd=cwd, stderr=err, stdout=err, text=True)
        try:
            wait_ready(url, process)
            secret = next(line.strip() for line in (cwd / "stderr.log").read_text().splitlines() if "gcdp_" in line)
            answer = httpx.post(
                f"{url}/graphql",
                json={"query": "{ version }"},
                headers={"Authorization": f"Bearer {secret}"},
                timeout=5,
            )
            assert answer.status_code == 200, answer.text
            assert httpx.post(f"{url}/graphql", json={"query": "{ version }"}, timeout=5).status_code == 401
        except StopIteration:
            pass
        finally:
            process.terminate()
            process.wait(timeout=20)
    return (cwd / "stderr.log").read_text()


def test_the_first_start_prints_an_admin_key_once(tmp_path: Path) -> None:
    first = _serve_once(tmp_path / "data", tmp_path)
    assert "an admin key named 'admin' (every scope) was created" in first
    assert sum("gcdp_" in line for line in first.splitlines()) == 1
    second = _serve_once(tmp_path / "data", tmp_path)
    assert "gcdp_" not in second
