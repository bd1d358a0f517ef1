"""The graphql-http audit suite (npm `graphql-http`, `serverAudits`) against the real service: every audit ok.

tools/graphql-http-audit/audit.mjs runs the suite with the pinned package (installed by `make test`) and
prints one JSON result per audit; it sends requests to the service under test only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict

import pytest

from tests.service_process import AUTH_HEADERS, running_service

REPO_ROOT = Path(__file__).resolve().parents[2]
AUDIT_DIR = REPO_ROOT / "tools" / "graphql-http-audit"
AUDIT_PACKAGE = AUDIT_DIR / "node_modules" / "graphql-http"
SETUP_HINT = "run `make test` (which runs `npm ci --prefix tools/graphql-http-audit`)"

# The audits the application/graphql-response+json media type brought from warning to ok.
GRAPHQL_RESPONSE_JSON_AUDITS = {"22EB", "865D", "556A", "D586", "51FE", "74FF", "5E5B", "86EE"}


class AuditResult(TypedDict, total=False):
    id: str
    name: str
    status: str
    reason: str
    responseStatus: int
    responseBody: str


@pytest.fixture(scope="module")
def service_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_service(tmp_path_factory.mktemp("audit")) as url:
        yield url


def _audit(url: str) -> list[AuditResult]:
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"`node` not found on PATH: install Node.js 20+ and {SETUP_HINT}", pytrace=False)
    if not AUDIT_PACKAGE.is_dir():
        pytest.fail(f"{AUDIT_PACKAGE.relative_to(REPO_ROOT)} is missing: {SETUP_HINT}", pytrace=False)
    proc = subprocess.run(
        [node, str(AUDIT_DIR / "audit.mjs"), url],
        env={**os.environ, "AUDIT_AUTHORIZATION": AUTH_HEADERS["Authorization"]},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"audit.mjs crashed (exit {proc.returncode}):\n{proc.stderr}", pytrace=False)
    results: list[AuditResult] = json.loads(proc.stdout)
    return results


def test_every_graphql_over_http_audit_is_ok(service_url: str) -> None:
    results = _audit(f"{service_url}/graphql")
    ran = {result["id"] for result in results}
    assert ran >= GRAPHQL_RESPONSE_JSON_AUDITS, f"the audit suite no longer runs {GRAPHQL_RESPONSE_JSON_AUDITS - ran}"
    failures = [
        f"  {r['status']} {r['id']} {r['name']}: {r.get('reason')} "
        f"(HTTP {r.get('responseStatus')}: {r.get('responseBody', '')[:200]})"
        for r in results
        if r["status"] != "ok"
    ]
    assert not failures, f"{len(failures)} of {len(results)} audits not ok:\n" + "\n".join(failures)
