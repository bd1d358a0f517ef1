"""No record lost to one bad trait: a birth date that is no date, an address that is not an object, a name that
is a list are stored as sent and reported as warnings (upsertRecords, the bulk importer's report), and
matching uses what can be read. Over GraphQL, against the real embedded database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphcdp.ingest.bulk import format_report, import_file
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore
from graphcdp.wiring import services_on
from tests.api.graphql_client import asgi_client, gql
from tests.identity_helpers import rec_item as rec

UPSERT = """
mutation($records: [RecordInput!]!, $dryRun: Boolean) {
  upsertRecords(records: $records, dryRun: $dryRun) {
    results { index personId action }
    errors { index code message }
    warnings { index path code message }
  }
}"""
PROFILE = """
query($type: String!, $value: String!) {
  profile(identifier: {type: $type, value: $value}) { id traits records { source sourceId } }
}"""
EXPLAIN = """
query($a: IdentifierInput!, $b: IdentifierInput!) {
  explainLink(a: $a, b: $b) {
    linked
    hops { kind explanation { comparisons { field level a b } } }
  }
}"""
ADA = {"firstName": "Ada", "lastName": "Lovelace", "address": {"postalCode": "W1 2AB"}}


@pytest.fixture
async def client(falkordb_store: FalkorDBStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(falkordb_store, load_settings()) as http:
        yield http


async def upsert(client: httpx.AsyncClient, records: list[dict[str, Any]], dry_run: bool = False) -> dict[str, Any]:
    body = await gql(client, UPSERT, records=records, dryRun=dry_run)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["upsertRecords"]
    return payload


async def profile(client: httpx.AsyncClient, value: str, type_: str = "customer_id") -> dict[str, Any]:
    body = await gql(client, PROFILE, type=type_, value=value)
    result: dict[str, Any] = body["data"]["profile"]
    return result


async def test_a_swapped_birth_date_is_stored_warned_and_matched_as_the_date_it_means(
    client: httpx.AsyncClient,
) -> None:
    census = rec("census", "1", 1, ("customer_id", "c1"), birthDate="1942-08-25", **ADA)
    tax = rec("tax", "9", 2, ("crm_id", "t9"), birthDate="1942-25-08", **ADA)

    payload = await upsert(client, [census, tax])

    assert payload["errors"] == []
    assert [r["index"] for r in payload["results"]] == [0, 1]
    assert payload["results"][0]["personId"] == payload["results"][1]["personId"]
    [warning] = payload["warnings"]
    assert (warning["index"], warning["path"], warning["code"]) == (1, "traits.birthDate", "TRAIT_NOT_A_DATE")
    assert warning["message"] == (
        "traits.birthDate '1942-25-08' is not a date (YYYY-MM-DD); stored as sent, "
        "matched as 1942-08-25 (day and month swapped)"
    )
    # One person, linked by matching on the date as read; the understood date is the person's.
    person = await profile(client, "t9", "crm_id")
    assert {r["sourceId"] for r in person["records"]} == {"1", "9"}
    assert person["traits"]["birthDate"] == "1942-08-25"
    explained = (
        await gql(client, EXPLAIN, a={"type": "customer_id", "value": "c1"}, b={"type": "crm_id", "value": "t9"})
    )["data"]["explainLink"]
    [match] = [hop for hop in explained["hops"] if hop["kind"] == "MATCH"]
    [birth] = [c for c in match["explanation"]["comparisons"] if c["field"] == "birthDate"]
    assert (birth["level"], birth["a"], birth["b"]) == ("exact", "1942-08-25", "1942-08-25")


async def test_the_raw_value_is_kept_when_no_record_has_a_better_one(client: httpx.AsyncClient) -> None:
    payload = await upsert(client, [rec("crm", "1", 1, ("customer_id", "x1"), birthDate="31/02/1990")])
    assert [(w["path"], w["code"]) for w in payload["warnings"]] == [("traits.birthDate", "TRAIT_NOT_A_DATE")]
    assert payload["warnings"][0]["message"].endswith("no such date; matched as the text 1990-02-31")
    assert (await profile(client, "x1"))["traits"]["birthDate"] == "31/02/1990"


async def test_values_of_an_unexpected_type_are_stored_and_left_out_of_matching(client: httpx.AsyncClient) -> None:
    records = [
        rec("crm", "a", 1, ("customer_id", "a1"), firstName=["Ada", "Augusta"], lastName="King", address="London"),
        rec("crm", "b", 1, birthDate="not known"),
        rec("crm", "c", 1, birthDate="1815-12-10"),
    ]
    payload = await upsert(client, records)
    assert payload["errors"] == []
    assert [r["index"] for r in payload["results"]] == [0, 1, 2]
    assert [(w["index"], w["path"], w["code"]) for w in payload["warnings"]] == [
        (0, "traits.firstName", "TRAIT_UNEXPECTED_TYPE"),
        (0, "traits.address", "TRAIT_UNEXPECTED_TYPE"),
        (1, "traits.birthDate", "TRAIT_NOT_A_DATE"),
    ]
    assert payload["warnings"][2]["message"].endswith("left out of matching")
    assert (await profile(client, "a1"))["traits"]["address"] == "London"


async def test_only_a_record_with_nothing_to_identify_it_is_refused_and_refused_items_carry_no_warning(
    client: httpx.AsyncClient,
) -> None:
    records = [
        {"source": "crm", "sourceId": "empty", "identifiers": [], "traits": {}},
        {**rec("crm", "late", 1, birthDate="1942-25-08"), "observedAt": "whenever"},
        rec("crm", "kept", 1, birthDate="1942-25-08"),
    ]
    payload = await upsert(client, records)
    assert {e["index"]: e["code"] for e in payload["errors"]} == {0: "EMPTY_RECORD", 1: "INVALID_DATE"}
    assert [w["index"] for w in payload["warnings"]] == [2]
    dry = await upsert(client, [rec("crm", "new", 1, birthDate="1942/8/25")], dry_run=True)
    assert [(w["index"], w["message"]) for w in dry["warnings"]] == [
        (0, "traits.birthDate '1942/8/25' is not a date (YYYY-MM-DD); stored as sent, matched as 1942-08-25")
    ]


async def test_the_bulk_importer_reports_warnings_by_line(falkordb_store: FalkorDBStore, tmp_path: Path) -> None:
    lines = [
        rec("census", "1", 1, ("customer_id", "c1"), birthDate="1942-08-25", **ADA),
        "not json",
        rec("tax", "9", 2, ("customer_id", "t9"), birthDate="1942-25-08", **ADA),
    ]
    source = tmp_path / "people.jsonl"
    source.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    async with services_on(falkordb_store, load_settings()) as services:
        report = await import_file(services.identity, source, progress=False)
    assert (report.stored, report.rejected) == (2, 1)
    assert [(w.index, w.path, w.code.value) for w in report.warnings] == [(3, "traits.birthDate", "TRAIT_NOT_A_DATE")]
    text = format_report(report)
    assert "1 stored with a value not understood (first: line 3, traits.birthDate, TRAIT_NOT_A_DATE)" in text
    assert "1942" not in text  # a value is the person's data: the summary names where, not what
