"""The explorer (/explorer) in a real headless Chromium against the real service on the embedded database,
with no network but the service: search, open a person, expand the graph, explain a link, filter the
journey, accept a review pair, checking the page after each step (and the API, for the decision).

Screenshots go to tests/artifacts/ (git-ignored), kept after the run. Needs Debian's `chromium` (.ci/run
installs it) and the `playwright` Python package, never Playwright's own browser downloads.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.service_process import AUTH_HEADERS, TEST_ADMIN_KEY, client_limits, running_service

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("CI"):  # .ci/run installs it: a CI without it would hide this test behind a skip
        pytest.fail("no Chromium on CI: .ci/run should have installed it", pytrace=False)
    pytest.skip("no Chromium installed (`apt-get install chromium`; .ci/run does it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
expect = sync_api.expect

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
WAIT = 15_000  # ms: a step the page takes longer over has failed

ADA = {"type": "email", "value": "ada@example.com"}
ADA_COOKIE = {"type": "cookie_id", "value": "c-ada"}
ADA_PHONE = {"type": "phone", "value": "+4915112345678"}
RECORDS: list[dict[str, Any]] = [
    {
        "source": "crm",
        "sourceId": "1",
        "observedAt": "2026-01-05T10:00:00Z",
        "identifiers": [ADA, ADA_PHONE],
        "traits": {"firstName": "Ada", "lastName": "Lovelace", "city": "London"},
    },
    {
        "source": "web",
        "sourceId": "2",
        "observedAt": "2026-02-01T08:00:00Z",
        "identifiers": [ADA, ADA_COOKIE],
        "traits": {"city": "Londres", "newsletter": True},
    },
    {
        "source": "shop",
        "sourceId": "3",
        "observedAt": "2026-02-03T08:00:00Z",
        "identifiers": [ADA_COOKIE, {"type": "customer_id", "value": "A-1"}],
        "traits": {"firstName": "Ada"},
    },
    # First and last name agree and nothing else is known: the pair waits for a reviewer.
    {
        "source": "crm",
        "sourceId": "10",
        "identifiers": [{"type": "email", "value": "anna@example.com"}],
        "traits": {"firstName": "Anna", "lastName": "Ramirez"},
    },
    {
        "source": "pos",
        "sourceId": "11",
        "identifiers": [{"type": "loyalty_id", "value": "L11"}],
        "traits": {"firstName": "Anna", "lastName": "Ramirez"},
    },
]
TOUCHPOINTS: list[dict[str, Any]] = [
    {"type": "page_view", "channel": "web", "occurredAt": "2026-02-01T08:05:00Z", "identifiers": [ADA_COOKIE]},
    {"type": "page_view", "channel": "web", "occurredAt": "2026-02-02T09:00:00Z", "identifiers": [ADA_COOKIE]},
    {"type": "email_open", "channel": "email", "occurredAt": "2026-02-02T10:00:00Z", "identifiers": [ADA_COOKIE]},
    {
        "type": "order",
        "channel": "web",
        "occurredAt": "2026-02-03T08:10:00Z",
        "identifiers": [ADA_COOKIE],
        "amount": 42.5,
        "currency": "EUR",
    },
]


def graphql(http: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    body: dict[str, Any] = http.post("/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def seed(http: httpx.Client) -> None:
    upserted = graphql(
        http,
        "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { errors { message } } }",
        r=RECORDS,
    )
    assert upserted["upsertRecords"]["errors"] == []
    tracked = graphql(
        http,
        "mutation($t: [TouchpointInput!]!) { trackTouchpoints(touchpoints: $t) { errors { message } } }",
        t=TOUCHPOINTS,
    )
    assert tracked["trackTouchpoints"]["errors"] == []
    graphql(
        http,
        'mutation($i: IdentifierInput!) { setConsent(identifier: $i, purpose: "marketing", channel: "email", '
        'status: GRANTED, at: "2026-02-01T08:00:00Z", source: "web") { effective { status } } }',
        i=ADA_PHONE,
    )


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, httpx.Client]]:
    with (
        running_service(tmp_path_factory.mktemp("explorer")) as url,
        httpx.Client(base_url=url, headers=AUTH_HEADERS, timeout=30, limits=client_limits()) as http,
    ):
        seed(http)
        yield url, http


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


class Session:
    """A page on the explorer that may reach the service only, recording what it was refused and its errors."""

    def __init__(self, browser: sync_api.Browser, url: str) -> None:
        self.host = urlsplit(url).netloc
        self.refused: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.route("**/*", self._only_the_service)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def _only_the_service(self, route: sync_api.Route) -> None:
        if urlsplit(route.request.url).netloc == self.host or route.request.url.startswith("data:"):
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort("internetdisconnected")

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"explorer-{name}.png"), full_page=True)

    def node_position(self, node_id: str) -> tuple[float, float]:
        """Where a node of the drawing is on the page, to click it as a user would (scrolled into view)."""
        self.page.locator("#graph").scroll_into_view_if_needed()
        # Cytoscape.js learns where its canvas is from the scroll event, dispatched on the next frame.
        self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        position: dict[str, float] | None = self.page.evaluate(
            """id => {
                const node = window.graphcdpExplorer.graph.cy.$id(id);
                if (node.empty()) return null;
                const box = document.getElementById('graph').getBoundingClientRect();
                const at = node.renderedPosition();
                return {x: box.left + at.x, y: box.top + at.y};
            }""",
            node_id,
        )
        assert position is not None, f"{node_id} is not drawn"
        return position["x"], position["y"]

    def drawn(self) -> set[str]:
        ids: list[str] = self.page.evaluate("() => window.graphcdpExplorer.graph.cy.nodes().map(n => n.id())")
        return set(ids)

    def classes(self, element_id: str) -> list[str]:
        found: list[str] = self.page.evaluate("id => window.graphcdpExplorer.graph.cy.$id(id).classes()", element_id)
        return found


@pytest.fixture
def session(browser: sync_api.Browser, service: tuple[str, httpx.Client]) -> Iterator[Session]:
    opened = Session(browser, service[0])
    try:
        yield opened
    finally:
        opened.page.close()
    assert opened.refused == [], f"the page reached beyond the service: {opened.refused}"
    assert opened.errors == [], opened.errors


def enter_key(session: Session, url: str) -> None:
    page = session.page
    page.goto(f"{url}/explorer", wait_until="load")
    expect(page.locator(".notice")).to_contain_text("Enter an API key", timeout=WAIT)
    page.fill("#api-key", TEST_ADMIN_KEY)
    page.click("#key-form button[type=submit]")
    expect(page.locator("#key-state")).to_have_text("key set for this tab")


def test_search_open_a_person_expand_the_graph_explain_a_link_and_filter_her_journey(
    session: Session, service: tuple[str, httpx.Client]
) -> None:
    url, _ = service
    page = session.page
    response = page.request.get(f"{url}/explorer/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    enter_key(session, url)

    # Search by a fragment of her name; the key stays in this tab's sessionStorage only.
    page.fill("input[name=q]", "lovel")
    page.press("input[name=q]", "Enter")
    results = page.locator("table.results")
    expect(results).to_have_attribute("data-results", "1", timeout=WAIT)
    expect(results).to_contain_text("Ada Lovelace")
    for source in ("crm", "shop", "web"):
        expect(results).to_contain_text(source)
    assert page.evaluate("() => sessionStorage.getItem('graphcdp.explorer.apiKey')") == TEST_ADMIN_KEY
    assert page.evaluate("() => localStorage.length") == 0
    session.shot("search")

    # Her page: golden traits with the record each value came from, identifiers, records, consents, metrics.
    page.click("a.person-link")
    expect(page.locator("h1.person-name")).to_have_text("Ada Lovelace", timeout=WAIT)
    expect(page.locator("tr[data-trait=lastName] td.sources")).to_have_text("crm:1", timeout=WAIT)
    expect(page.locator("tr[data-trait=firstName] td.sources")).to_contain_text("crm:1")
    expect(page.locator("tr[data-trait=firstName] td.sources")).to_contain_text("shop:3")
    expect(page.locator("tr[data-trait=newsletter] td.sources")).to_have_text("web:2")
    expect(page.locator("table.identifiers")).to_contain_text("+4915112345678")
    expect(page.locator("details[data-source=shop]")).to_contain_text("3")
    expect(page.locator("table.consents")).to_contain_text("GRANTED")
    expect(page.locator("dl.metrics")).to_contain_text("42.5")

    # The journey: all four touchpoints, then only what is not a page view.
    journey = page.locator("ol.timeline")
    expect(journey).to_have_attribute("data-count", "4", timeout=WAIT)
    page.locator(".journey-filters input[value=page_view]").uncheck()
    expect(journey).to_have_attribute("data-count", "2", timeout=WAIT)
    expect(page.locator(".timeline .touchpoint")).to_have_count(2)
    expect(page.locator(".timeline")).to_contain_text("42.5 EUR")
    expect(page.locator(".timeline .touchpoint[data-type=page_view]")).to_have_count(0)

    # The graph one hop around her email, then her web record expanded a hop further: its cookie appears.
    page.select_option("select[name=from]", "email:ada@example.com")
    page.select_option("select[name=depth]", "1")
    page.click(".graph-toolbar button:text('Draw')")
    canvas = page.locator("#graph")
    expect(canvas).to_have_attribute("data-nodes", "4", timeout=WAIT)  # the email, crm:1, web:2, her person
    assert "identifier:cookie_id:c-ada" not in session.drawn()
    page.mouse.dblclick(*session.node_position("record:web:2"))
    expect(canvas).to_have_attribute("data-expanded", "record:web:2", timeout=WAIT)
    drawn = session.drawn()
    assert {"identifier:cookie_id:c-ada", "record:shop:3", "identifier:phone:+4915112345678"} <= drawn
    expect(page.locator(".graph-status")).to_contain_text("added by expanding web:2")

    # Tap two identifiers: the evidence between them is lit, each hop with its provenance.
    page.mouse.click(*session.node_position("identifier:phone:+4915112345678"))
    expect(page.locator(".node-details h3")).to_have_text("identifier: +4915112345678")
    page.mouse.click(*session.node_position("identifier:cookie_id:c-ada"))
    explanation = page.locator(".explain")
    expect(explanation).to_have_attribute("data-linked", "true", timeout=WAIT)
    expect(explanation).to_contain_text("observed by crm:1")
    expect(explanation).to_contain_text("observed by web:2")
    hops = int(explanation.get_attribute("data-hops") or 0)
    assert hops >= 3 and int(explanation.get_attribute("data-lit-edges") or 0) == hops
    for lit in ("identifier:phone:+4915112345678", "record:crm:1", "identifier:cookie_id:c-ada"):
        assert "on-path" in session.classes(lit)
    assert "faded" in session.classes("record:shop:3")  # not on the path
    expect(canvas).to_have_attribute("data-expanded", "record:web:2")  # two quick taps on two nodes expand neither
    session.shot("person")


def test_accept_a_review_pair_and_see_the_clusters_change(session: Session, service: tuple[str, httpx.Client]) -> None:
    url, http = service
    page = session.page
    enter_key(session, url)
    before = graphql(http, "{ reviewQueue { edges { node { a { key personId } b { key personId } } } } }")
    pairs = [(e["node"]["a"], e["node"]["b"]) for e in before["reviewQueue"]["edges"]]
    assert [(a["key"], b["key"]) for a, b in pairs] == [("crm:10", "pos:11")]
    assert pairs[0][0]["personId"] != pairs[0][1]["personId"]

    page.click("a[data-nav=review]")
    card = page.locator("article.pair[data-a='crm:10']")
    expect(card).to_be_visible(timeout=WAIT)
    expect(card.locator("table.side-by-side")).to_contain_text("Ramirez")
    expect(card.locator("table.comparisons")).to_contain_text("lastName")
    session.shot("review")

    card.locator("button.accept").click()
    expect(card).to_have_attribute("data-decided", "accepted", timeout=WAIT)
    expect(card.locator(".outcome")).to_contain_text("now belong to one person")
    after = card.locator("ul.after")
    expect(after).to_have_attribute("data-persons", "1")
    expect(after).to_contain_text("Anna Ramirez · 2 records: crm:10, pos:11")
    session.shot("review-accepted")

    # The API agrees: one person holds both records, and nothing waits for review any more.
    person = graphql(http, '{ record(source: "pos", sourceId: "11") { person { records { source sourceId } } } }')
    records = person["record"]["person"]["records"]
    assert sorted(f"{r['source']}:{r['sourceId']}" for r in records) == ["crm:10", "pos:11"]
    assert graphql(http, "{ reviewQueue { edges { cursor } } }")["reviewQueue"]["edges"] == []

    # Her page: the accepted pair is drawn as a reviewer's decision, and explaining the link shows the match
    # hop with its comparison weights.
    after.locator("a").click()
    expect(page.locator("h1.person-name")).to_have_text("Anna Ramirez", timeout=WAIT)
    canvas = page.locator("#graph")
    expect(canvas).to_have_attribute("data-nodes", "5", timeout=WAIT)  # 2 identifiers, 2 records, her person
    # Both records hold her name now; waiting for the sources also keeps the panels above the drawing still.
    expect(page.locator("tr[data-trait=lastName] td.sources")).to_have_text("pos:11crm:10", timeout=WAIT)
    edge_classes = page.evaluate(
        "() => window.graphcdpExplorer.graph.cy.edges('[type = \"MATCHED\"]').map(e => e.classes())"
    )
    assert edge_classes == [["reviewed"]]
    page.mouse.click(*session.node_position("identifier:email:anna@example.com"))
    expect(page.locator(".node-details h3")).to_have_text("identifier: anna@example.com")
    page.mouse.click(*session.node_position("identifier:loyalty_id:L11"))
    explanation = page.locator(".explain")
    expect(explanation).to_have_attribute("data-linked", "true", timeout=WAIT)
    expect(explanation.locator(".hop.match")).to_contain_text("accepted by a reviewer")
    expect(explanation.locator("table.comparisons")).to_contain_text("lastName")
    session.shot("review-person")

    page.goto(f"{url}/explorer/#/review")
    expect(page.locator(".review-list")).to_contain_text("Nothing waits for review", timeout=WAIT)
