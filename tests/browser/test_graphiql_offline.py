"""GraphiQL in a real headless Chromium, with no network but the service: the editor renders and a query runs.

Every request the page makes to anything but the service's own loopback address is refused and recorded, so
a page that still reached for a CDN fails here rather than showing "Loading..." forever behind a firewall.
Needs Debian's `chromium` (.ci/run installs it) and the `playwright` Python package (the test extra); never
Playwright's own browser downloads.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.service_process import AUTH_HEADERS, running_service

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("CI"):  # .ci/run installs it: a CI without it would hide this test behind a skip
        pytest.fail("no Chromium on CI: .ci/run should have installed it", pytrace=False)
    pytest.skip("no Chromium installed (`apt-get install chromium`; .ci/run does it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

QUERY = "{ health { database ok } }"


@pytest.fixture(scope="module")
def service_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_service(tmp_path_factory.mktemp("graphiql")) as url:
        yield url


def test_graphiql_renders_and_runs_a_query_with_no_network(service_url: str, tmp_path: Path) -> None:
    service_host = urlsplit(service_url).netloc
    refused: list[str] = []
    requested: list[str] = []
    page_errors: list[str] = []

    def only_the_service(route: sync_api.Route) -> None:
        url = route.request.url
        requested.append(url)
        if urlsplit(url).netloc == service_host or url.startswith("data:"):
            route.continue_()
        else:
            refused.append(url)
            route.abort("internetdisconnected")

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.route("**/*", only_the_service)
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.goto(f"{service_url}/graphql", wait_until="load")
            try:
                editor = page.locator(".graphiql-query-editor .CodeMirror")
                editor.wait_for(timeout=30_000)
                editor.click()
                page.keyboard.press("Control+A")
                page.keyboard.insert_text(QUERY)
                page.locator(".graphiql-execute-button").click()
                response = page.locator(".result-window")
                # The page starts with a placeholder key in its Headers tab: the service refuses it.
                sync_api.expect(response).to_contain_text('"code": "UNAUTHENTICATED"', timeout=30_000)
                page.locator('.graphiql-editor-tools button[data-name="headers"]').click()
                headers = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")
                headers.click()
                page.keyboard.press("Control+A")
                page.keyboard.insert_text(json.dumps(AUTH_HEADERS))
                page.locator(".graphiql-execute-button").click()
                sync_api.expect(response).to_contain_text('"database": "embedded"', timeout=30_000)
                sync_api.expect(response).to_contain_text('"ok": true')
            except sync_api.Error as error:
                pytest.fail(f"{error.message}\nrefused: {refused}\npage errors: {page_errors}", pytrace=False)
            finally:
                page.screenshot(path=str(tmp_path / "graphiql.png"))
        finally:
            browser.close()

    assert refused == [], f"the page reached beyond the service: {refused}"
    assert page_errors == [], page_errors
    assert f"{service_url}/graphiql/graphiql.min.js" in requested  # the assets came from the service
