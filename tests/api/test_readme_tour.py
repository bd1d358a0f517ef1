"""The README's five-minute tour, run as written against the real embedded database.

Every request of the tour (the curl body of step 1, then each ```graphql block) is sent in order to a fresh
graph, with an admin key as the tour's `$KEY`; each ```json block after a request must match its response.
The README trims responses, so a shown object may leave keys out, a list ending in "…" may leave items out,
a string ending in "…" is a prefix, and a person id shown as "9dba3c7b-…" stands for one id: the same label
must be the same person everywhere.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client

README = Path(__file__).parents[2] / "README.md"
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_HEREDOC = re.compile(r"<<'JSON'\n(.*?)^JSON$", re.MULTILINE | re.DOTALL)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def tour_steps() -> list[tuple[dict[str, Any], Any]]:
    """(request body, shown response or None) for each request of the tour, in order."""
    text = README.read_text(encoding="utf-8")
    tour = text.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    steps: list[tuple[dict[str, Any], Any]] = []
    for language, body in _BLOCK.findall(tour):
        if language == "sh":
            heredoc = _HEREDOC.search(body)
            assert heredoc, "the tour's curl sends its body as a <<'JSON' here-document"
            assert '-H "Authorization: Bearer $KEY"' in body, "the tour's curl sends the API key"
            steps.append((json.loads(heredoc.group(1)), None))
        elif language == "graphql":
            steps.append(({"query": body}, None))
        elif language == "json":
            assert steps and steps[-1][1] is None, "a response block follows its request"
            steps[-1] = (steps[-1][0], json.loads(body))
    return steps


def matches(shown: Any, actual: Any, ids: dict[str, str], path: str = "$") -> None:
    """Assert `actual` is what `shown` trims (see the module docstring); `ids` binds shown id labels."""
    if isinstance(shown, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r} is not an object"
        for key, value in shown.items():
            assert key in actual, f"{path}: no {key!r} in {sorted(actual)}"
            matches(value, actual[key], ids, f"{path}.{key}")
    elif isinstance(shown, list):
        assert isinstance(actual, list), f"{path}: {actual!r} is not a list"
        trimmed = bool(shown) and shown[-1] == "…"
        items = shown[:-1] if trimmed else shown
        assert len(actual) >= len(items) if trimmed else len(actual) == len(items), f"{path}: {actual!r}"
        for i, item in enumerate(items):  # a trimmed list shows its first items
            matches(item, actual[i], ids, f"{path}[{i}]")
    elif isinstance(shown, str) and shown.endswith("…"):
        assert isinstance(actual, str), f"{path}: {actual!r} is not text"
        if _UUID.fullmatch(actual):
            assert ids.setdefault(shown, actual) == actual, f"{path}: {shown} was {ids[shown]}, now {actual}"
        else:
            assert actual.startswith(shown[:-1]), f"{path}: {actual!r} does not start with {shown[:-1]!r}"
    elif isinstance(shown, float) and not isinstance(actual, bool):
        assert isinstance(actual, int | float) and math.isclose(shown, actual, rel_tol=1e-3), f"{path}: {actual!r}"
    else:
        assert shown == actual, f"{path}: shown {shown!r}, answered {actual!r}"


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings()) as http:
        yield http


def test_the_tour_has_every_step() -> None:
    queries = " ".join(request["query"] for request, _ in tour_steps())
    for operation in ("upsertRecords", "context", "trackTouchpoints", "journey", "explainLink", "reviewQueue"):
        assert operation in queries
    assert "resolveMatch" in queries


async def test_the_readme_tour_answers_what_the_readme_shows(client: httpx.AsyncClient) -> None:
    ids: dict[str, str] = {}
    for number, (request, shown) in enumerate(tour_steps(), start=1):
        response = await client.post("/graphql", json=request)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, f"request {number}: {body['errors']}"
        if shown is not None:
            matches(shown, body, ids, f"request {number}")
    assert len(set(ids.values())) == 2  # Ada, and the loyalty record's person before the reviewer joined them
