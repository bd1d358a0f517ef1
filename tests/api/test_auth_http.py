"""API keys and scopes over HTTP, on the real embedded database: 401 without a valid key, each scope allowing its
fields and refusing the others (FORBIDDEN, naming the scope, the rest of the request answered), rate limits."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphcdp.api.app import create_app
from graphcdp.api.auth import declared_scope
from graphcdp.api.schema import schema
from graphcdp.auth.scopes import Scope
from graphcdp.errors import ConfigurationError
from graphcdp.identity.matching.spec import DEFAULT_MODEL
from graphcdp.settings import Settings, load_settings
from graphcdp.store import GraphStore
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import Services, services_on

IDENTIFIER = '{type: "email", value: "ada@example.com"}'
# One request per field of Query and Mutation, to show its scope at work. A field missing here fails
# test_every_field_is_exercised: add it with the request that calls it.
FIELD_REQUESTS: dict[str, str] = {
    "profile": f"{{ profile(identifier: {IDENTIFIER}) {{ id }} }}",
    "person": '{ person(id: "p") { id } }',
    "record": '{ record(source: "crm", sourceId: "1") { sourceId } }',
    "exportPerson": '{ exportPerson(id: "p") }',
    "forgetPerson": 'mutation { forgetPerson(id: "p") { personId } }',
    "liftSuppression": f"mutation {{ liftSuppression(identifier: {IDENTIFIER}) }}",
    "explainLink": f"{{ explainLink(a: {IDENTIFIER}, b: {IDENTIFIER}) {{ linked }} }}",
    "context": f"{{ context(identifier: {IDENTIFIER}) {{ personId }} }}",
    "identityGraph": f"{{ identityGraph(identifier: {IDENTIFIER}) {{ truncated }} }}",
    "searchPersons": '{ searchPersons(query: "ada") { edges { score } } }',
    "reviewQueue": "{ reviewQueue { edges { cursor } } }",
    "matchingModel": "{ matchingModel { version } }",
    "version": "{ version }",
    "health": "{ health { ok } }",
    "upsertRecords": 'mutation { upsertRecords(records: [{source: "crm", sourceId: "1", identifiers: ['
    f"{IDENTIFIER}]}}]) {{ results {{ action }} }} }}",
    "detachRecord": 'mutation { detachRecord(source: "crm", sourceId: "none") { personIds } }',
    "deleteRecord": 'mutation { deleteRecord(source: "crm", sourceId: "none") { personIds } }',
    "trackTouchpoints": 'mutation { trackTouchpoints(touchpoints: [{type: "page_view", '
    f'occurredAt: "2024-01-01T00:00:00Z", identifiers: [{IDENTIFIER}]}}]) {{ results {{ action }} }} }}',
    "setConsent": f'mutation {{ setConsent(identifier: {IDENTIFIER}, purpose: "marketing", channel: "email", '
    "status: GRANTED) { effective { status } } }",
    "resolveMatch": 'mutation { resolveMatch(id: "bm9uZQ==", accept: false) { accepted } }',
    "setMatchingModel": "mutation { setMatchingModel(model: {}) { version } }",
    "apiKeys": "{ apiKeys { name } }",
    "auditTrail": "{ auditTrail { edges { cursor } } }",
    "createApiKey": 'mutation { createApiKey(name: "x", scopes: ["nonsense"]) { name } }',
    "revokeApiKey": 'mutation { revokeApiKey(name: "nobody") { name } }',
    "changes": "{ changes { edges { cursor } } }",
    "explainPrediction": '{ explainPrediction(personId: "p") { days } }',
    "valueByAcquisition": "{ valueByAcquisition(groupBy: SOURCE) { customers } }",
    "pathsToPurchase": "{ pathsToPurchase { persons } }",
    "destinations": "{ destinations { id } }",
    "deliveries": '{ deliveries(destinationId: "none") { edges { cursor } } }',
    "createDestination": 'mutation { createDestination(url: "ftp://nowhere") { destination { id } } }',
    "pauseDestination": 'mutation { pauseDestination(id: "none") { id } }',
    "resumeDestination": 'mutation { resumeDestination(id: "none") { id } }',
    "deleteDestination": 'mutation { deleteDestination(id: "none") { id } }',
    "redeliver": 'mutation { redeliver(id: "none") { id } }',
    "segments": "{ segments { key } }",
    "segment": '{ segment(key: "none") { key } }',
    "previewSegment": '{ previewSegment(definition: {identifier: "email"}) { size } }',
    "explainSegment": '{ explainSegment(key: "none", personId: "p") { member } }',
    "saveSegment": 'mutation { saveSegment(key: "k", definition: {identifier: "email"}) { errors { code } } }',
    "deleteSegment": 'mutation { deleteSegment(key: "none") }',
}


def root_fields() -> dict[str, tuple[bool, Scope | None]]:
    """Every field of Query and Mutation, as `declared_scope` reads it."""
    fields: dict[str, tuple[bool, Scope | None]] = {}
    for root in (schema._schema.query_type, schema._schema.mutation_type):
        assert root is not None
        for name, field in root.fields.items():
            fields[name] = declared_scope(field.extensions["strawberry-definition"])
    return fields


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@asynccontextmanager
async def served(store: GraphStore, settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """The app (no key of its own) and a client that sends none unless told."""
    async with services_on(store, settings) as services:
        app = create_app(services=services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            yield http, services


@pytest.fixture
async def app(falkordb_store: FalkorDBStore) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    async with served(falkordb_store, load_settings(rate_limit=0)) as pair:
        yield pair


async def ask(http: httpx.AsyncClient, document: str, secret: str) -> tuple[int, dict[str, Any]]:
    response = await http.post("/graphql", json={"query": document}, headers=bearer(secret))
    return response.status_code, response.json()


def forbidden(body: dict[str, Any]) -> list[str]:
    return [e["message"] for e in body.get("errors", []) if e["extensions"]["code"] == "FORBIDDEN"]


def test_every_field_of_query_and_mutation_declares_its_scope() -> None:
    undeclared = sorted(name for name, (declared, _) in root_fields().items() if not declared)
    assert undeclared == [], f"fields without a scope (use needs(Scope.X) from graphcdp.api.auth): {undeclared}"


def test_every_field_is_exercised() -> None:
    assert set(FIELD_REQUESTS) == set(root_fields())


def test_the_scopes_of_the_issue() -> None:
    scopes = {name: scope for name, (_, scope) in root_fields().items()}
    assert {name for name, scope in scopes.items() if scope is Scope.PROFILES_READ} == {
        "profile", "person", "record", "explainLink", "context", "identityGraph", "searchPersons",
        "segments", "segment", "previewSegment", "explainSegment",
        "explainPrediction", "valueByAcquisition", "pathsToPurchase",
    }  # fmt: skip
    assert {name for name, scope in scopes.items() if scope is Scope.RECORDS_WRITE} == {
        "upsertRecords", "trackTouchpoints", "detachRecord",
    }  # fmt: skip
    assert scopes["setConsent"] is Scope.CONSENT_WRITE
    assert {name for name, scope in scopes.items() if scope is Scope.SEGMENTS_WRITE} == {"saveSegment", "deleteSegment"}
    assert {name for name, scope in scopes.items() if scope is Scope.REVIEW} == {"reviewQueue", "resolveMatch"}
    assert {name for name, scope in scopes.items() if scope is Scope.PRIVACY} == {
        "deleteRecord", "forgetPerson", "liftSuppression", "exportPerson",
    }  # fmt: skip
    assert {name for name, scope in scopes.items() if scope is Scope.ADMIN} == {
        "setMatchingModel", "matchingModel", "apiKeys", "createApiKey", "revokeApiKey", "auditTrail",
        "destinations", "deliveries", "createDestination", "pauseDestination", "resumeDestination",
        "deleteDestination", "redeliver",
    }  # fmt: skip
    assert scopes["changes"] is Scope.CHANGES_READ
    assert scopes["version"] is None and scopes["health"] is None  # any valid key


async def test_no_key_unknown_key_and_malformed_header_answer_401(app: tuple[httpx.AsyncClient, Services]) -> None:
    http, _ = app
    for headers in ({}, bearer("gcdp_not-a-key"), {"Authorization": "Basic YWRhOmFkYQ=="}, {"Authorization": "Bearer"}):
        response = await http.post("/graphql", json={"query": "{ version }"}, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
        body = response.json()
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "data" not in body
    response = await http.get("/graphql", params={"query": "{ version }"}, headers={"accept": "application/json"})
    assert response.status_code == 401
    graphql_response = await http.post(
        "/graphql", json={"query": "{ version }"}, headers={"accept": "application/graphql-response+json"}
    )
    assert graphql_response.status_code == 401
    assert graphql_response.headers["content-type"].startswith("application/graphql-response+json")


async def test_the_page_and_the_probes_need_no_key(app: tuple[httpx.AsyncClient, Services]) -> None:
    http, _ = app
    assert (await http.get("/graphql", headers={"accept": "text/html"})).status_code == 200
    assert (await http.get("/healthz")).status_code == 200
    assert (await http.get("/readyz")).status_code == 200


@pytest.mark.parametrize("scope", list(Scope), ids=[s.value for s in Scope])
async def test_each_scope_allows_its_fields_and_refuses_the_others(
    app: tuple[httpx.AsyncClient, Services], scope: Scope
) -> None:
    http, services = app
    only = await services.keys.create("only", [scope.value], actor="test")
    others = await services.keys.create("others", [s.value for s in Scope if s is not scope], actor="test")
    scopes = {name: field_scope for name, (_, field_scope) in root_fields().items()}
    for field, document in FIELD_REQUESTS.items():
        needed = scopes[field]
        status, body = await ask(http, document, only.secret)
        assert status == 200, body
        if needed is None or needed is scope:
            assert forbidden(body) == [], (field, body)
        else:
            assert forbidden(body) == [f"needs scope {needed.value}"], (field, body)
        status, body = await ask(http, document, others.secret)
        if needed is scope:
            assert forbidden(body) == [f"needs scope {scope.value}"], (field, body)
            assert body["errors"][0]["path"] == [field]
        else:
            assert forbidden(body) == [], (field, body)


async def test_a_refused_field_leaves_the_others_answered(app: tuple[httpx.AsyncClient, Services]) -> None:
    http, services = app
    reviewer = await services.keys.create("reviewer", ["review"], actor="test")
    document = f'{{version profile(identifier: {IDENTIFIER}) {{ id }} record(source: "a", sourceId: "b") {{ source }}}}'
    status, body = await ask(http, document, reviewer.secret)
    assert status == 200
    assert body["data"]["version"]
    assert body["data"]["profile"] is None and body["data"]["record"] is None
    assert sorted(e["path"][0] for e in body["errors"]) == ["profile", "record"]
    assert forbidden(body) == ["needs scope profiles:read"] * 2


async def test_a_browser_key_that_may_read_cannot_link_identifiers(app: tuple[httpx.AsyncClient, Services]) -> None:
    """Section 3: attaching one's own cookie to a victim's email with a login touchpoint takes records:write."""
    http, services = app
    admin = await services.keys.create("connector", ["records:write", "profiles:read"], actor="test")
    browser = await services.keys.create("browser", ["profiles:read"], actor="test")
    await ask(http, FIELD_REQUESTS["upsertRecords"], admin.secret)
    login = (
        'mutation { trackTouchpoints(touchpoints: [{type: "login", occurredAt: "2024-01-01T00:00:00Z", identifiers: '
        f'[{IDENTIFIER}, {{type: "cookie_id", value: "attacker"}}]}}]) {{ results {{ personId }} }} }}'
    )
    _, body = await ask(http, login, browser.secret)
    assert forbidden(body) == ["needs scope records:write"]
    _, body = await ask(
        http, '{ context(identifier: {type: "cookie_id", value: "attacker"}) { personId } }', admin.secret
    )
    assert body["data"]["context"] is None  # the cookie was never linked to her


async def test_a_revoked_key_is_refused_at_once(app: tuple[httpx.AsyncClient, Services]) -> None:
    http, services = app
    key = await services.keys.create("temporary", ["profiles:read"], actor="test")
    assert (await ask(http, "{ version }", key.secret))[0] == 200
    await services.keys.revoke("temporary", actor="test")
    status, body = await ask(http, "{ version }", key.secret)
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_with_auth_off_everything_is_allowed_without_a_key(falkordb_store: FalkorDBStore) -> None:
    async with served(falkordb_store, load_settings(auth="off")) as (http, _):
        response = await http.post("/graphql", json={"query": FIELD_REQUESTS["setMatchingModel"]})
        assert response.status_code == 200
        assert forbidden(response.json()) == []
        assert response.json()["errors"][0]["extensions"]["code"] == "CONFIGURATION_ERROR"  # it ran


async def test_a_key_over_its_rate_is_told_when_to_come_back(falkordb_store: FalkorDBStore) -> None:
    async with served(falkordb_store, load_settings(rate_limit=0.5, rate_limit_burst=3)) as (http, services):
        busy = await services.keys.create("busy", ["profiles:read"], actor="test")
        calm = await services.keys.create("calm", ["profiles:read"], actor="test")
        statuses = [(await ask(http, "{ version }", busy.secret))[0] for _ in range(3)]
        assert statuses == [200, 200, 200]
        response = await http.post("/graphql", json={"query": "{ version }"}, headers=bearer(busy.secret))
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) >= 1
        assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert (await ask(http, "{ version }", calm.secret))[0] == 200  # per key


async def test_an_admin_manages_keys_over_graphql(app: tuple[httpx.AsyncClient, Services]) -> None:
    http, services = app
    admin = await services.keys.create("ops", ["admin"], actor="test")
    create = 'mutation($s: [String!]!) { createApiKey(name: "shop-web", scopes: $s) { name secret scopes } }'
    response = await http.post(
        "/graphql", json={"query": create, "variables": {"s": ["profiles:read"]}}, headers=bearer(admin.secret)
    )
    created = response.json()["data"]["createApiKey"]
    assert created["name"] == "shop-web" and created["scopes"] == ["profiles:read"]
    assert (await ask(http, FIELD_REQUESTS["context"], created["secret"]))[0] == 200

    _, body = await ask(http, "{ apiKeys { name scopes createdAt revokedAt } }", admin.secret)
    assert [key["name"] for key in body["data"]["apiKeys"]] == ["ops", "shop-web"]
    assert created["secret"] not in str(body) and "hash" not in str(body)

    _, body = await ask(http, 'mutation { revokeApiKey(name: "shop-web") { name revokedAt } }', admin.secret)
    assert body["data"]["revokeApiKey"]["revokedAt"]
    assert (await ask(http, "{ version }", created["secret"]))[0] == 401

    response = await http.post(
        "/graphql", json={"query": create, "variables": {"s": ["profiles:write"]}}, headers=bearer(admin.secret)
    )
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INVALID_SCOPE"
    assert error["message"].startswith("scopes: unknown scope profiles:write; the scopes are profiles:read, ")
    _, body = await ask(http, 'mutation { createApiKey(name: "ops", scopes: ["admin"]) { name } }', admin.secret)
    assert body["errors"][0]["extensions"]["code"] == "KEY_EXISTS"
    _, body = await ask(http, 'mutation { revokeApiKey(name: "nobody") { name } }', admin.secret)
    assert body["errors"][0]["extensions"]["code"] == "KEY_NOT_FOUND"


AUDIT = "query($after: String) { auditTrail(first: 2, after: $after) { edges { cursor node { at actor action target } } pageInfo { hasNextPage endCursor } } }"  # noqa: E501


async def test_admin_and_privacy_actions_are_in_the_audit_trail(app: tuple[httpx.AsyncClient, Services]) -> None:
    http, services = app
    ops = await services.keys.create("ops", ["admin"], actor="test")
    eraser = await services.keys.create("dpo", ["privacy", "records:write"], actor="test")
    model = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    response = await http.post(
        "/graphql",
        json={"query": "mutation($m: JSON!) { setMatchingModel(model: $m) { version } }", "variables": {"m": model}},
        headers=bearer(ops.secret),
    )
    assert response.json()["data"]["setMatchingModel"]["version"] == 1
    await ask(http, FIELD_REQUESTS["upsertRecords"], eraser.secret)
    _, body = await ask(http, 'mutation { deleteRecord(source: "crm", sourceId: "1") { personIds } }', eraser.secret)
    assert "errors" not in body, body
    # A subject's export and erasure, and a lifted suppression: named by person id and identifier type only.
    upsert = 'mutation { upsertRecords(records: [{source: "crm", sourceId: "2", identifiers: [{type: "email", value: "eve@example.com"}]}]) { results { personId } } }'  # noqa: E501
    _, body = await ask(http, upsert, eraser.secret)
    eve = body["data"]["upsertRecords"]["results"][0]["personId"]
    for document in (
        f'{{ exportPerson(id: "{eve}") }}',
        f'mutation {{ forgetPerson(id: "{eve}") {{ records }} }}',
        'mutation { liftSuppression(identifier: {type: "email", value: "eve@example.com"}) }',
    ):
        _, body = await ask(http, document, eraser.secret)
        assert "errors" not in body, body

    seen: list[tuple[str, str, str]] = []
    after = None
    while True:
        response = await http.post(
            "/graphql", json={"query": AUDIT, "variables": {"after": after}}, headers=bearer(ops.secret)
        )
        page = response.json()["data"]["auditTrail"]
        seen += [(e["node"]["actor"], e["node"]["action"], e["node"]["target"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    sha = hashlib.sha256(b"1").hexdigest()[:16]
    assert seen == [
        ("dpo", "suppression.lifted", "email:…"),
        ("dpo", "person.forgotten", eve),
        ("dpo", "person.exported", eve),
        ("dpo", "record.deleted", f"crm:sha256:{sha}"),
        ("ops", "matchingModel.set", "default@1"),
        ("test", "apiKey.created", "dpo"),
        ("test", "apiKey.created", "ops"),
    ]
    _, body = await ask(http, FIELD_REQUESTS["auditTrail"], eraser.secret)
    assert forbidden(body) == ["needs scope admin"]


async def test_a_preflight_from_an_allowed_origin_is_answered(falkordb_store: FalkorDBStore) -> None:
    preflight = {
        "origin": "http://localhost:3000",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }
    async with served(falkordb_store, load_settings(cors_origins=["http://localhost:3000"])) as (http, services):
        response = await http.options("/graphql", headers=preflight)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
        assert "authorization" in response.headers["access-control-allow-headers"].lower()
        other = await http.options("/graphql", headers={**preflight, "origin": "http://evil.localhost"})
        assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
        key = await services.keys.create("web", ["profiles:read"], actor="test")
        answer = await http.post(
            "/graphql", json={"query": "{ version }"}, headers={"origin": preflight["origin"], **bearer(key.secret)}
        )
        assert answer.headers["access-control-allow-origin"] == "http://localhost:3000"
    async with served(falkordb_store, load_settings()) as (http, _):
        assert (await http.options("/graphql", headers=preflight)).status_code == 405  # no origin allowed


async def test_introspection_can_be_switched_off(falkordb_store: FalkorDBStore) -> None:
    introspect = "{ __schema { queryType { name } } }"
    async with served(falkordb_store, load_settings(introspection=False)) as (http, services):
        key = await services.keys.create("any", ["admin"], actor="test")
        _, body = await ask(http, introspect, key.secret)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "introspection" in body["errors"][0]["message"].lower()
        _, body = await ask(http, "{ __typename version }", key.secret)
        assert body["data"]["__typename"] == "Query"
    async with served(falkordb_store, load_settings()) as (http, services):
        key = await services.keys.create("reader", ["profiles:read"], actor="test")
        _, body = await ask(http, introspect, key.secret)
        assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_a_short_admin_key_is_refused_and_an_empty_one_is_unset() -> None:
    with pytest.raises(ConfigurationError, match=r"GRAPHCDP_ADMIN_KEY: .*at least 32 characters"):
        load_settings(admin_key="secret")
    assert load_settings(admin_key="").admin_key is None


def test_the_api_guide_lists_every_field_with_its_scope() -> None:
    guide = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    section = guide.split("## Authentication and scopes", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, Scope | None] = {}
    for fields, scope in re.findall(r"^\| (`[a-zA-Z].*?) \| (.+?) \|$", section, re.MULTILINE):
        for field in re.findall(r"`(\w+)`", fields):
            documented[field] = None if scope == "any valid key" else Scope(scope.strip("`"))
    assert documented == {name: scope for name, (_, scope) in root_fields().items()}
