"""The GraphiQL page names only assets the service itself serves (tests/browser runs it in Chromium)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from graphcdp.api.graphql_view import GRAPHIQL_ASSETS_PATH
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client

ASSETS = Path(__file__).parents[2] / "graphcdp" / "api" / "static" / "graphiql"
# The page's script and stylesheet references: src="…" and href="…".
REFERENCE = re.compile(r'\b(?:src|href)="([^"]*)"')
ABSOLUTE_URL = re.compile(r'[a-z]+://|"//')


async def test_the_page_loads_every_asset_from_the_service(falkordb_store: FalkorDBStore) -> None:
    async with asgi_client(falkordb_store, load_settings()) as http:
        page = await http.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200
        assert ABSOLUTE_URL.search(page.text) is None, ABSOLUTE_URL.search(page.text)
        references = [ref for ref in REFERENCE.findall(page.text) if not ref.startswith("data:")]
        assert len(references) == 6, references
        for reference in references:
            assert reference.startswith(GRAPHIQL_ASSETS_PATH.lstrip("/") + "/"), reference
            asset = await http.get(f"/{reference}")  # relative to /graphql
            assert asset.status_code == 200, reference
            assert asset.content == (ASSETS / reference.split("/", 1)[1]).read_bytes()


def test_the_assets_are_minified_builds_of_the_recorded_versions() -> None:
    versions = json.loads((ASSETS / "VERSIONS.json").read_text())
    expected = {"react": "18.2.0", "react-dom": "18.2.0", "graphiql": "3.8.3", "@graphiql/plugin-explorer": "1.0.2"}
    assert versions == expected
    # graphiql publishes its bundle unminified (3.5 MB); the vendored one is minified.
    assert (ASSETS / "graphiql.min.js").stat().st_size < 2_000_000
    for licence in ("LICENSE.react", "LICENSE.react-dom", "LICENSE.graphiql", "THIRD-PARTY-LICENSES.txt"):
        assert "Permission is hereby granted" in (ASSETS / licence).read_text()


async def test_no_graphiql_means_no_page_and_no_assets(falkordb_store: FalkorDBStore) -> None:
    settings = load_settings(graphiql=False)
    async with asgi_client(falkordb_store, settings) as http:
        assert (await http.get("/graphql", headers={"accept": "text/html"})).status_code == 404
        assert (await http.get(f"{GRAPHIQL_ASSETS_PATH}/graphiql.min.js")).status_code == 404
