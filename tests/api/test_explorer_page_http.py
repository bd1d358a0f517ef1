"""The explorer page as HTTP serves it: static files from the package, under a policy that lets the page
reach the service only, holding no key of its own; off with GRAPHCDP_EXPLORER=false."""

from __future__ import annotations

import re

from graphcdp.api.explorer_page import EXPLORER_DIRECTORY
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client
from tests.service_process import TEST_ADMIN_KEY

IMPORT = re.compile(r"""^import\s[^'"]*['"](\.{1,2}/[^'"]+)['"]""", re.MULTILINE)


async def test_the_page_and_its_assets_are_served_under_an_own_origin_policy(falkordb_store: FalkorDBStore) -> None:
    async with asgi_client(falkordb_store, load_settings()) as http:
        del http.headers["Authorization"]  # no key: a browser's first visit
        anonymous = http
        redirect = await anonymous.get("/explorer")
        assert redirect.status_code == 307 and redirect.headers["location"].endswith("/explorer/")
        page = await anonymous.get("/explorer/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "connect-src 'self'" in policy and "script-src 'self'" in policy
        assert 'src="js/main.js"' in page.text
        module = await anonymous.get("/explorer/vendor/cytoscape.esm.min.js")
        assert module.status_code == 200 and "javascript" in module.headers["content-type"]
        assert module.headers["x-content-type-options"] == "nosniff"
        assert (await anonymous.get("/explorer/js/nothing.js")).status_code == 404


async def test_graphcdp_explorer_false_serves_no_page(falkordb_store: FalkorDBStore) -> None:
    async with asgi_client(falkordb_store, load_settings(explorer=False)) as http:
        assert (await http.get("/explorer/")).status_code == 404
        assert (await http.get("/explorer")).status_code == 404


def test_every_module_the_page_imports_is_shipped_and_no_file_holds_a_key() -> None:
    modules = sorted((EXPLORER_DIRECTORY / "js").glob("*.js"))
    assert modules
    for module in modules:
        text = module.read_text(encoding="utf-8")
        for imported in IMPORT.findall(text):
            assert (module.parent / imported).resolve().is_file(), f"{module.name} imports {imported}"
    for shipped in EXPLORER_DIRECTORY.rglob("*"):
        if shipped.is_file() and shipped.suffix in {".html", ".js", ".css"}:
            text = shipped.read_text(encoding="utf-8")
            assert "gcdp_" not in text and TEST_ADMIN_KEY not in text, f"{shipped} holds a key"
            assert not re.search(r"https?://", text) or shipped.parent.name == "vendor", f"{shipped} names a host"
