"""Issue 17: a NUL or a lone surrogate in any string argument outside a batch item (the FalkorDB client sends
parameters as text, which a NUL breaks) is refused before anything runs: a request error with code INVALID_TEXT
naming the argument, logged at INFO without a traceback, and the service answers the next request. Batch items
keep their per-item INVALID_TEXT (tests/api/test_input_bounds_http.py)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, logged

pytestmark = pytest.mark.usefixtures("quiet")  # no WARNING, no ERROR, no traceback
NUL, SURROGATE = "\u0000", "\ud800"
IDENTIFIER = '{type: "email", value: "ada@example.com"}'

# (document with one bad literal marked %, the argument path the error names)
LITERALS = [
    ('{ record(source: "ab%", sourceId: "1") { sourceId } }', "record.source"),
    ('{ person(id: "%") { id } }', "person.id"),
    ('{ searchPersons(query: "ad%a") { edges { node { id } } } }', "searchPersons.query"),
    (
        '{ explainLink(a: {type: "cookie_id", value: "c1"}, b: {type: "email", value: "b%"}) { summary } }',
        "explainLink.b.value",
    ),
    ('mutation { resolveMatch(id: "m%", accept: true) { decision } }', "resolveMatch.id"),
    (
        f'mutation {{ setConsent(identifier: {IDENTIFIER}, purpose: "ads%", channel: "email", status: GRANTED) '
        "{ __typename } }",
        "setConsent.purpose",
    ),
    ('mutation { createApiKey(name: "k%", scopes: ["admin"]) { name } }', "createApiKey.name"),
    ('mutation { createApiKey(name: "k", scopes: ["admin", "%"]) { name } }', "createApiKey.scopes.1"),
    ('mutation { setMatchingModel(model: {rules: ["%"]}) { version } }', "setMatchingModel.model.rules.0"),
    ('query($s: String = "%") { record(source: $s, sourceId: "1") { sourceId } }', "$s"),
    (
        '{ version @include(if: true) profile(identifier: {type: "email", value: "%"}) { id } }',
        "profile.identifier.value",
    ),
]

# (document, variables with one bad string marked %, the argument path the error names)
VARIABLES: list[tuple[str, dict[str, Any], str]] = [
    ('query($s: String!) { record(source: $s, sourceId: "1") { sourceId } }', {"s": "ab%"}, "$s"),
    ("query($q: String!) { searchPersons(query: $q) { edges { node { id } } } }", {"q": "%%"}, "$q"),
    (
        'query($a: IdentifierInput!) { explainLink(a: $a, b: {type: "cookie_id", value: "c2"}) { summary } }',
        {"a": {"type": "email", "value": "a%"}},
        "$a.value",
    ),
    (
        "mutation($i: IdentifierInput!, $p: String!) "
        '{ setConsent(identifier: $i, purpose: $p, channel: "email", status: GRANTED) { __typename } }',
        {"i": {"type": "email", "value": "ada@example.com"}, "p": "x%"},
        "$p",
    ),
    ("mutation($m: JSON!) { setMatchingModel(model: $m) { version } }", {"m": {"r%": 1}}, "$m"),
]


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings()) as http:
        yield http


@pytest.fixture
def quiet(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO)
    yield caplog
    assert [r for r in logged(caplog) if r.levelno >= logging.WARNING or r.exc_info] == []


def _escaped(text: str, bad: str) -> str:
    """`text` with each % as a GraphQL escape of `bad` (a document cannot hold it raw)."""
    return text.replace("%", f"\\u{ord(bad):04x}")


def _spoiled(value: Any, bad: str) -> Any:
    """`value` with each % in its strings and keys replaced by `bad`."""
    if isinstance(value, dict):
        return {key.replace("%", bad): _spoiled(item, bad) for key, item in value.items()}
    if isinstance(value, list):
        return [_spoiled(item, bad) for item in value]
    return value.replace("%", bad) if isinstance(value, str) else value


async def _refused(client: httpx.AsyncClient, document: str, variables: dict[str, Any], where: str) -> None:
    content = json.dumps({"query": document, "variables": variables})  # a lone surrogate as its JSON escape
    headers = {"content-type": "application/json", "accept": "application/graphql-response+json"}
    response = await client.post("/graphql", content=content, headers=headers)
    assert response.status_code == 400, response.text
    body = response.json()
    assert "data" not in body, body
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_TEXT", "argument": where}, body
    assert where in error["message"]
    ready = await client.post("/graphql", json={"query": "{ version }"})
    assert ready.status_code == 200 and ready.json()["data"]["version"]


@pytest.mark.parametrize(("document", "where"), LITERALS, ids=[where for _, where in LITERALS])
async def test_a_nul_in_a_string_literal_is_refused_before_anything_runs(
    client: httpx.AsyncClient, document: str, where: str
) -> None:
    await _refused(client, _escaped(document, NUL), {}, where)


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["NUL", "surrogate"])
@pytest.mark.parametrize(("document", "variables", "where"), VARIABLES, ids=[where for *_, where in VARIABLES])
async def test_a_bad_string_variable_is_refused_before_anything_runs(
    client: httpx.AsyncClient,
    document: str,
    variables: dict[str, Any],
    where: str,
    bad: str,
) -> None:
    await _refused(client, _escaped(document, bad), _spoiled(variables, bad), where)


async def test_a_surrogate_escape_in_the_document_does_not_parse(
    client: httpx.AsyncClient, quiet: pytest.LogCaptureFixture
) -> None:
    content = json.dumps({"query": _escaped('{ person(id: "%") { id } }', SURROGATE)})
    headers = {"content-type": "application/json", "accept": "application/graphql-response+json"}
    response = await client.post("/graphql", content=content, headers=headers)
    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["GRAPHQL_PARSE_FAILED"]


UPSERT = """
mutation($records: [RecordInput!]!, $source: String!) {
  upsertRecords(records: $records) { results { index } errors { index code } }
  again: upsertRecords(records: [{source: $source, sourceId: "lit\\u0000", identifiers: []}]) { errors { index code } }
}"""


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["NUL", "surrogate"])
async def test_batch_items_keep_their_own_errors(client: httpx.AsyncClient, bad: str) -> None:
    good = {"source": "crm", "sourceId": "1", "identifiers": [{"type": "email", "value": "ada@example.com"}]}
    spoiled = {**good, "sourceId": f"2{bad}"}
    content = json.dumps({"query": UPSERT, "variables": {"records": [good, spoiled], "source": f"crm{bad}"}})
    response = await client.post("/graphql", content=content, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["upsertRecords"] == {"results": [{"index": 0}], "errors": [{"index": 1, "code": "INVALID_TEXT"}]}
    assert data["again"] == {"errors": [{"index": 0, "code": "INVALID_TEXT"}]}
