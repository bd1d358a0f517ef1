"""Identifying traits declared once in settings (GRAPHCDP_IDENTIFYING_TRAITS): a national id that is also an
identifier links records deterministically, a tax number is a match comparison of the model in force (and of
a model set later), and a value that cannot be an identifier is a warning. Over GraphQL, on the real embedded
database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graphcdp.identity.matching.spec import DEFAULT_MODEL
from graphcdp.settings import IdentifyingTraitSetting, load_settings
from graphcdp.store.falkordb import FalkorDBStore
from tests.api.graphql_client import asgi_client, gql
from tests.identity_helpers import rec_item as rec

UPSERT = """
mutation($records: [RecordInput!]!) {
  upsertRecords(records: $records) {
    results { index personId }
    errors { index code }
    warnings { index path code message }
    matching { matched possible }
  }
}"""
PROFILE = """
query($type: String!, $value: String!) {
  profile(identifier: {type: $type, value: $value}) { id identifiers { type value } records { sourceId } }
}"""
EXPLAIN = """
query($a: IdentifierInput!, $b: IdentifierInput!) {
  explainLink(a: $a, b: $b) {
    linked
    hops { kind explanation { comparisons { field level weight a b } } }
  }
}"""
MODEL = "{ matchingModel { model } }"
SET_MODEL = "mutation($model: JSON!) { setMatchingModel(model: $model) { version } }"


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    traits = {
        "nationalId": IdentifyingTraitSetting(identifier="national_id"),
        "taxNumber": IdentifyingTraitSetting(),
    }
    async with asgi_client(falkordb_store, load_settings(identifying_traits=traits)) as http:
        yield http


async def upsert(client: httpx.AsyncClient, *records: dict[str, Any]) -> dict[str, Any]:
    body = await gql(client, UPSERT, records=list(records))
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["upsertRecords"]
    return payload


async def test_a_national_id_declared_as_identifier_links_whatever_its_punctuation(client: httpx.AsyncClient) -> None:
    payload = await upsert(
        client,
        rec("census", "1", 1, firstName="Ada", nationalId="901-23-4568"),
        rec("tax", "2", 2, firstName="Augusta", lastName="King", nationalId="901 23 4568"),
        rec("crm", "3", 3, ("email", "ada@example.com"), nationalId={"not": "an id"}),
    )
    assert payload["errors"] == []
    assert payload["results"][0]["personId"] == payload["results"][1]["personId"] != payload["results"][2]["personId"]
    person = (await gql(client, PROFILE, type="national_id", value="901234568"))["data"]["profile"]
    assert {r["sourceId"] for r in person["records"]} == {"1", "2"}
    assert {"type": "national_id", "value": "901234568"} in person["identifiers"]
    [warning] = payload["warnings"]
    assert (warning["index"], warning["path"], warning["code"]) == (2, "traits.nationalId", "TRAIT_NOT_AN_IDENTIFIER")


async def test_a_tax_number_is_a_comparison_of_every_model_in_force(client: httpx.AsyncClient) -> None:
    model = (await gql(client, MODEL))["data"]["matchingModel"]["model"]
    assert "taxNumber" in model["customTraits"]
    assert {"parts": ["taxNumber"]} in model["blocking"]["rules"]
    assert [c["field"] for c in model["comparisons"]][-2:] == ["nationalId", "taxNumber"]

    # The same tax number and surname, nothing else: linked by matching, explained by the tax number.
    linked = await upsert(
        client,
        rec("census", "1", 1, ("customer_id", "c1"), lastName="Lovelace", taxNumber="DE 811 907 980"),
        rec("tax", "2", 2, ("crm_id", "t2"), lastName="Lovelace", taxNumber="de811907980"),
    )
    assert linked["matching"]["matched"] == 1
    explained = (
        await gql(client, EXPLAIN, a={"type": "customer_id", "value": "c1"}, b={"type": "crm_id", "value": "t2"})
    )["data"]["explainLink"]
    [match] = [hop for hop in explained["hops"] if hop["kind"] == "MATCH"]
    [tax] = [c for c in match["explanation"]["comparisons"] if c["field"] == "taxNumber"]
    assert (tax["level"], tax["a"], tax["b"]) == ("exact", "de811907980", "de811907980")

    # First and last name alone make a pair for review; the same tax number links it, a different one
    # is evidence against, so it is not even proposed.
    outcomes = []
    for number, (first, second) in enumerate([("555", None), ("111222333", "999888777"), ("4711", "4711")]):
        payload = await upsert(
            client,
            rec("census", f"g{number}", 1, ("customer_id", f"g{number}"), **_grace(number, first)),
            rec("tax", f"h{number}", 2, ("crm_id", f"h{number}"), **_grace(number, second)),
        )
        outcomes.append((payload["matching"]["matched"], payload["matching"]["possible"]))
    assert outcomes == [(0, 1), (0, 0), (1, 0)]

    # A model set later compares it too: the declaration is the operator's, not one model's.
    shipped = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    assert "errors" not in await gql(client, SET_MODEL, model=shipped)
    model = (await gql(client, MODEL))["data"]["matchingModel"]["model"]
    assert {c["field"] for c in model["comparisons"]} >= {"nationalId", "taxNumber"}


def _grace(pair: int, tax_number: str | None) -> dict[str, Any]:
    """Grace Hopper's name, under another surname for each pair, so that pairs do not meet each other."""
    return {"firstName": "Grace", "lastName": f"Hopper{'ABC'[pair]}", "taxNumber": tax_number}
