"""Issue 17: schema-driven fuzzing of `graphcdp serve` (hypothesis-graphql). Queries that fit the schema and queries
with one violation each, with arbitrary argument values, are answered without a 5xx, without an error of the
service's fault (INTERNAL_ERROR, QUERY_ERROR, ...) and within a bounded time; mutations with one violation are
refused and change nothing; the service is still ready afterwards and its log holds no traceback and no ERROR.
String arguments hold anything, NUL and lone surrogates included (refused with INVALID_TEXT,
graphcdp/api/text_arguments.py, or BAD_REQUEST for a surrogate in the query).

A few thousand cases in all, in about 40 s: one service for all of them, kept-alive connections, and the
requests sent from a few threads while hypothesis draws the next document (drawing one costs about as much as the
service answering it); each answer is checked once all are in, with its document in the failure message (the
cases are derandomized, so a failure is reproducible)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries
from hypothesis_graphql.strategies import Mode

from graphcdp.errors import ErrorCode, Fault
from tests.service_process import AUTH_HEADERS, client_limits, running_service

SCHEMA = (Path(__file__).parents[2] / "schema.graphql").read_text(encoding="utf-8")
# Cases per test (2,400 in all): documents that fit the schema cost the most to draw and to answer.
FITTING, ONE_VIOLATION, MUTATIONS = 600, 1000, 800
SENDERS = 4  # threads sending requests over the kept-alive connections of one client
SCALARS = {
    "DateTime": st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
        lambda moment: nodes.String(moment.isoformat() + "Z")
    ),
    "JSON": st.one_of(
        st.text(max_size=20).map(nodes.String),
        st.integers(-(2**40), 2**40).map(nodes.Int),
        st.just(nodes.Null),
    ),
}


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases every run: a failure is reproducible
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    work = tmp_path_factory.mktemp("fuzz")
    with (
        running_service(work, GRAPHCDP_RATE_LIMIT="0") as url,  # every case reaches GraphQL
        httpx.Client(base_url=url, headers=AUTH_HEADERS, timeout=10, limits=client_limits(SENDERS)) as client,
    ):
        yield client
        assert client.get("/readyz").json() == {"ready": True}
    log = (work / "serve.log").read_text()
    assert "Traceback" not in log and " ERROR " not in log and '" 500' not in log


def post(client: httpx.Client, document: str) -> httpx.Response:
    """The document as Python's JSON encoder writes it: a lone surrogate as its escape (httpx's encoder refuses it)."""
    content = json.dumps({"query": document})
    return client.post("/graphql", content=content, headers={"content-type": "application/json"})


@contextmanager
def sending(client: httpx.Client, check: Callable[[str, httpx.Response], None]) -> Iterator[Callable[[str], None]]:
    """A function that sends a document in the background; on leaving, every answer is checked by `check`."""
    sent: list[tuple[str, Future[httpx.Response]]] = []
    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        yield lambda document: sent.append((document, pool.submit(post, client, document)))
    assert len(sent) > 0
    for document, answer in sent:
        check(document, answer.result())


def answered(document: str, response: httpx.Response) -> None:
    assert response.status_code < 500 and response.status_code != 429, (document, response.text)
    codes = {error.get("extensions", {}).get("code") for error in response.json().get("errors", [])}
    faults = {code for code in codes if code not in ErrorCode.__members__ or ErrorCode[code].fault is Fault.SERVICE}
    assert not faults, (document, response.text)  # INTERNAL_ERROR, QUERY_ERROR, ...: the service's fault


def refused(document: str, response: httpx.Response) -> None:
    assert response.status_code < 500 and response.status_code != 429, (document, response.text)
    assert response.json().get("data") is None and response.json()["errors"], (document, response.text)


@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    ("mode", "examples"), [(Mode.POSITIVE, FITTING), (Mode.NEGATIVE, ONE_VIOLATION)], ids=["fits", "one violation"]
)
def test_fuzzed_queries_are_answered_without_a_server_error(service: httpx.Client, mode: Mode, examples: int) -> None:
    with sending(service, answered) as send:

        @fuzz(examples)
        @given(queries(SCHEMA, custom_scalars=SCALARS, mode=mode, allow_x00=True, codec=None))
        def draw(document: str) -> None:
            send(document)

        draw()


SNAPSHOT = """{
  profile(identifier: {type: "email", value: "fuzz@example.com"}) { id traits records { source sourceId } }
  apiKeys { name scopes revokedAt }
  searchPersons(query: "example", first: 100) { edges { node { id } } }
}"""


@pytest.mark.timeout(600)
def test_fuzzed_mutations_with_a_violation_are_refused_and_change_nothing(service: httpx.Client) -> None:
    stored = service.post(
        "/graphql",
        json={
            "query": "mutation($r: [RecordInput!]!) { upsertRecords(records: $r) { errors { code } } }",
            "variables": {
                "r": [
                    {
                        "source": "crm",
                        "sourceId": "fuzz",
                        "identifiers": [{"type": "email", "value": "fuzz@example.com"}],
                    }
                ]
            },
        },
    )
    assert stored.json()["data"]["upsertRecords"]["errors"] == [], stored.text
    before = service.post("/graphql", json={"query": SNAPSHOT}).json()
    assert before["data"]["profile"] is not None

    with sending(service, refused) as send:

        @fuzz(MUTATIONS)
        @given(mutations(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE, allow_x00=True, codec=None))
        def draw(document: str) -> None:
            send(document)

        draw()
    assert service.post("/graphql", json={"query": SNAPSHOT}).json() == before
