"""docker-compose.yml, checked without a Docker engine: secrets come from the host's environment (compose
refuses to start without them), none is written in the file, and Neo4j is not published beyond this machine."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
COMPOSE = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
# Every ${VARIABLE...} the file interpolates, with what follows the name (`:?message`, `:-default`, or nothing).
INTERPOLATED = re.findall(r"(?<!\$)\$\{(\w+)([^}]*)\}", COMPOSE)
SECRETS = {"GRAPHCDP_ADMIN_KEY", "NEO4J_PASSWORD"}


def _service(name: str) -> str:
    """The block of one service: from `  name:` to the next line indented as little."""
    block = re.search(rf"^  {name}:\n((?:    .*\n|\n)+)", COMPOSE, re.MULTILINE)
    assert block, f"no service {name}"
    return block.group(1)


def test_every_secret_comes_from_the_host_and_is_required() -> None:
    used = {name for name, _ in INTERPOLATED}
    assert used >= SECRETS
    for name, rest in INTERPOLATED:
        if name in SECRETS:
            assert rest.startswith(":?"), f"{name}{rest}: a secret has no default; compose refuses without it"


def test_the_service_gets_the_admin_key_and_the_neo4j_password_it_connects_with() -> None:
    graphcdp = _service("graphcdp")
    assert re.search(r"^      GRAPHCDP_ADMIN_KEY: \$\{GRAPHCDP_ADMIN_KEY:\?", graphcdp, re.MULTILINE)
    assert re.search(r"^      GRAPHCDP_NEO4J_PASSWORD: \$\{NEO4J_PASSWORD:\?", graphcdp, re.MULTILINE)
    assert "neo4j/${NEO4J_PASSWORD:?" in _service("neo4j")
    assert "graphcdp-password" not in COMPOSE  # the old default password


def test_the_service_runs_unprivileged() -> None:
    graphcdp = _service("graphcdp")
    assert "user:" not in graphcdp  # the Dockerfile's unprivileged user, not overridden
    assert "no-new-privileges:true" in graphcdp
    assert re.search(r"cap_drop:\n\s+- ALL", graphcdp)


def test_neo4j_is_published_on_the_loopback_interface_only() -> None:
    ports = re.findall(r'^      - "([^"]+)"', _service("neo4j"), re.MULTILINE)
    assert ports == ["127.0.0.1:7474:7474", "127.0.0.1:7687:7687"]
