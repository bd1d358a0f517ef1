"""`graphcdp mcp` with the MCP SDK's own client: over stdio against a real `graphcdp mcp` process on the embedded
database, and over streamable HTTP against /mcp of a real `graphcdp serve`. Every tool's answer (text and
structured content), its schemas, the refusal of a key without profiles:read, the page bound, and bad input
coming back as a tool error with its code."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import ClientSession
from mcp_types import CallToolResult

from tests.mcp_world import (
    ADA_ORDERS,
    ADA_PAGE_VIEWS,
    HOPPERS,
    SETTINGS,
    World,
    http_session,
    populate_data_dir,
    populate_over_http,
    stdio_session,
)
from tests.service_process import GRAPHCDP, TEST_ADMIN_KEY, running_service, service_environment

TOOLS = {"get_customer_context", "search_customers", "customer_journey", "explain_link", "segment_members"}
PAGE_LIMIT = 25


@pytest.fixture(scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[str, World]]:
    work = tmp_path_factory.mktemp("mcp-serve")
    with running_service(work, **SETTINGS) as url:
        yield url, await populate_over_http(f"{url}/graphql")


@pytest.fixture(scope="module")
async def stdio_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    data_dir = tmp_path_factory.mktemp("mcp-stdio") / "data"
    return data_dir, await populate_data_dir(data_dir)


async def call(session: ClientSession, tool: str, **arguments: Any) -> CallToolResult:
    return await session.call_tool(tool, arguments)


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def text_of(result: CallToolResult) -> str:
    assert len(result.content) == 1 and result.content[0].type == "text"
    return result.content[0].text


def error_code(result: CallToolResult) -> str:
    assert result.is_error, result
    return text_of(result).split(":", 1)[0]


# --- what each tool answers, on either transport -------------------------------------------------------------


async def check_tool_list(session: ClientSession) -> list[dict[str, Any]]:
    tools = (await session.list_tools()).tools
    assert {t.name for t in tools} == TOOLS
    for tool in tools:
        assert tool.description and len(tool.description) > 100, tool.name
        assert "profiles:read" in tool.description
        assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
        for name, prop in tool.input_schema["properties"].items():
            assert prop.get("description"), (tool.name, name)
            if name == "limit":
                assert prop["maximum"] == PAGE_LIMIT and prop["minimum"] == 1
    by_name = {t.name: t for t in tools}
    assert by_name["get_customer_context"].input_schema["required"] == ["identifier"]
    assert by_name["customer_journey"].input_schema["required"] == ["person_id"]
    assert by_name["explain_link"].input_schema["required"] == ["a", "b"]
    assert by_name["segment_members"].input_schema["required"] == ["key"]
    assert by_name["search_customers"].input_schema["required"] == ["query"]
    return [t.model_dump(mode="json") for t in sorted(tools, key=lambda t: t.name)]


async def check_context(session: ClientSession, world: World) -> None:
    result = await call(session, "get_customer_context", identifier="ADA@example.com")
    found = structured(result)
    assert found["person_id"] == world.ada_id
    assert found["identifier"] == "email:ada@example.com"
    assert {f"{i['type']}:{i['value']}" for i in found["identifiers"]} == {
        "email:ada@example.com", "phone:+442079460001", "customer_id:C-1", "loyalty_id:L-7"
    }  # fmt: skip
    assert found["traits"]["firstName"] == "Ada"
    assert found["consents"] == [{"purpose": "marketing", "channel": "email", "status": "GRANTED"}]
    assert found["metrics"]["orders"] == ADA_ORDERS
    assert found["metrics"]["touchpoints"] == ADA_ORDERS + ADA_PAGE_VIEWS
    assert found["segments"] == []
    recent = found["recent_touchpoints"]
    assert [t["type"] for t in recent] == ["order"] * 3 + ["page_view"] * 2  # her 5 latest, newest first
    assert recent[0]["amount"] == 42.0 and recent[0]["currency"] == "EUR"
    compact = text_of(result)
    assert compact.startswith(f"Person {world.ada_id}, found by email:ada@example.com.")
    assert "Ada Lovelace" in compact and "marketing/email GRANTED" in compact and "3 orders" in compact
    assert len(compact) < 1500  # compact: a model reads it whole
    # The same person by any of her identifiers, in any spelling; the type guessed or given.
    asked = [
        ("+44 20 7946 0001", None),
        ("loyalty_id:L-7", None),
        ("C-1", "customer_id"),
        ("email:ada@example.com", "email"),
    ]
    for identifier, type_ in asked:
        again = await call(session, "get_customer_context", identifier=identifier, type=type_)
        assert structured(again)["person_id"] == world.ada_id, identifier


async def check_context_bad_input(session: ClientSession) -> None:
    unknown = await call(session, "get_customer_context", identifier="nobody@example.com")
    assert error_code(unknown) == "PERSON_NOT_FOUND"
    assert error_code(await call(session, "get_customer_context", identifier="x", type="shoe_size")) == (
        "UNKNOWN_IDENTIFIER_TYPE"
    )
    guessless = await call(session, "get_customer_context", identifier="just words")
    assert error_code(guessless) == "UNKNOWN_IDENTIFIER_TYPE" and "give `type`" in text_of(guessless)
    assert error_code(await call(session, "get_customer_context", identifier="no-at-sign", type="email")) == (
        "INVALID_EMAIL"
    )
    empty = await call(session, "get_customer_context", identifier="")  # refused by the input schema
    assert empty.is_error and "identifier" in text_of(empty)
    missing = await session.call_tool("get_customer_context", {})
    assert missing.is_error and "identifier" in text_of(missing)


async def check_search_pages(session: ClientSession) -> None:
    first = structured(await call(session, "search_customers", query="hopper", limit=PAGE_LIMIT))
    assert len(first["customers"]) == PAGE_LIMIT and first["has_more"] is True and first["next_cursor"]
    assert all(c["name"].endswith("Hopper") for c in first["customers"])
    rest = structured(await call(session, "search_customers", query="hopper", limit=PAGE_LIMIT,
                                 cursor=first["next_cursor"]))  # fmt: skip
    assert len(rest["customers"]) == HOPPERS - PAGE_LIMIT and rest["has_more"] is False and rest["next_cursor"] is None
    assert len({c["person_id"] for c in first["customers"] + rest["customers"]}) == HOPPERS
    default = await call(session, "search_customers", query="hopper")
    assert len(structured(default)["customers"]) == 10
    assert "call again with cursor" in text_of(default)
    too_many = await call(session, "search_customers", query="hopper", limit=PAGE_LIMIT + 1)
    assert too_many.is_error and "limit" in text_of(too_many)
    exact = structured(await call(session, "search_customers", query="ada@example.com"))
    assert exact["customers"][0]["score"] == 100 and exact["customers"][0]["matched_on"] == "email:ada@example.com"
    assert error_code(await call(session, "search_customers", query="hopper", cursor="not-a-cursor")) == (
        "INVALID_CURSOR"
    )


async def check_journey(session: ClientSession, world: World) -> None:
    page = await call(session, "customer_journey", person_id=world.ada_id, limit=10)
    found = structured(page)
    assert found["person_id"] == world.ada_id and found["total"] == ADA_ORDERS + ADA_PAGE_VIEWS
    assert len(found["touchpoints"]) == 10 and found["has_more"] is True
    times = [t["occurred_at"] for t in found["touchpoints"]]
    assert times == sorted(times, reverse=True)
    assert text_of(page).count("\n- ") == 10
    older = structured(await call(session, "customer_journey", person_id=world.ada_id, limit=PAGE_LIMIT,
                                  cursor=found["next_cursor"]))  # fmt: skip
    assert len(older["touchpoints"]) == 20 and older["has_more"] is False
    assert max(t["occurred_at"] for t in older["touchpoints"]) < min(times)
    orders = structured(await call(session, "customer_journey", person_id=world.ada_id, types=["order"]))
    assert orders["total"] == ADA_ORDERS and {t["type"] for t in orders["touchpoints"]} == {"order"}
    unknown = await call(session, "customer_journey", person_id="no-such-person")
    assert error_code(unknown) == "PERSON_NOT_FOUND"
    for limit in (0, PAGE_LIMIT + 1):
        out_of_range = await call(session, "customer_journey", person_id=world.ada_id, limit=limit)
        assert out_of_range.is_error and "limit" in text_of(out_of_range)


async def check_explain_link(session: ClientSession, world: World) -> None:
    linked = await call(session, "explain_link", a="ada@example.com", b="loyalty_id:L-7")
    found = structured(linked)
    assert found["linked"] is True and found["person_id"] == world.ada_id
    hops = found["hops"]
    assert hops[0]["from"] == "email:ada@example.com" and hops[-1]["to"] == "loyalty_id:L-7"
    assert {h["kind"] for h in hops} == {"IDENTIFIER"} and {h["source"] for h in hops} == {"crm", "pos"}
    assert "phone:+442079460001" in text_of(linked)
    apart = structured(await call(session, "explain_link", a="ada@example.com", b="hopper1@example.org"))
    assert apart["linked"] is False and apart["hops"] == []
    assert error_code(await call(session, "explain_link", a="ada@example.com", b="???")) == "UNKNOWN_IDENTIFIER_TYPE"


async def check_segment_members(session: ClientSession) -> None:
    page = await call(session, "segment_members", key="hoppers")
    found = structured(page)
    assert found["size"] == HOPPERS and found["name"] == "The Hoppers"
    assert len(found["members"]) == 10 and found["has_more"] is True
    seen = [m["person_id"] for m in found["members"]]
    cursor = found["next_cursor"]
    while cursor:
        more = structured(await call(session, "segment_members", key="hoppers", limit=PAGE_LIMIT, cursor=cursor))
        assert len(more["members"]) <= PAGE_LIMIT
        seen += [m["person_id"] for m in more["members"]]
        cursor = more["next_cursor"]
    assert len(seen) == len(set(seen)) == HOPPERS
    assert text_of(page).startswith("Segment hoppers (The Hoppers): 30 members; 10 here")
    assert error_code(await call(session, "segment_members", key="no-such-segment")) == "SEGMENT_NOT_FOUND"


async def check_refused(session: ClientSession, world: World) -> None:
    """A key without profiles:read gets every tool refused, naming the scope, and nothing of the data."""
    arguments: dict[str, dict[str, Any]] = {
        "get_customer_context": {"identifier": "ada@example.com"},
        "search_customers": {"query": "hopper"},
        "customer_journey": {"person_id": world.ada_id},
        "explain_link": {"a": "ada@example.com", "b": "loyalty_id:L-7"},
        "segment_members": {"key": "hoppers"},
    }
    for tool, args in arguments.items():
        result = await session.call_tool(tool, args)
        assert error_code(result) == "FORBIDDEN", tool
        assert "needs scope profiles:read" in text_of(result)
        assert result.structured_content is None
        assert "Lovelace" not in text_of(result) and "Hopper" not in text_of(result)


# --- streamable HTTP, /mcp of graphcdp serve -----------------------------------------------------------------


async def test_http_lists_the_tools_with_their_schemas(served: tuple[str, World]) -> None:
    async with http_session(served[0], TEST_ADMIN_KEY) as session:
        await check_tool_list(session)


async def test_http_customer_context(served: tuple[str, World]) -> None:
    async with http_session(served[0], TEST_ADMIN_KEY) as session:
        await check_context(session, served[1])
        await check_context_bad_input(session)


async def test_http_search_customers(served: tuple[str, World]) -> None:
    async with http_session(served[0], TEST_ADMIN_KEY) as session:
        await check_search_pages(session)


async def test_http_customer_journey(served: tuple[str, World]) -> None:
    async with http_session(served[0], TEST_ADMIN_KEY) as session:
        await check_journey(session, served[1])


async def test_http_explain_link(served: tuple[str, World]) -> None:
    async with http_session(served[0], TEST_ADMIN_KEY) as session:
        await check_explain_link(session, served[1])


async def test_http_segment_members(served: tuple[str, World]) -> None:
    async with http_session(served[0], TEST_ADMIN_KEY) as session:
        await check_segment_members(session)


async def test_http_refuses_a_key_without_profiles_read(served: tuple[str, World]) -> None:
    async with http_session(served[0], served[1].writer_key) as session:
        await check_refused(session, served[1])


async def test_http_needs_a_known_key(served: tuple[str, World]) -> None:
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"Accept": "application/json, text/event-stream"}
    async with httpx.AsyncClient(base_url=served[0]) as http:
        missing = await http.post("/mcp", json=initialize, headers=headers)
        unknown = await http.post("/mcp", json=initialize, headers={**headers, "Authorization": "Bearer nope"})
    for answer in (missing, unknown):
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["error"]["code"] == "UNAUTHENTICATED"


# --- stdio, a `graphcdp mcp` process ---------------------------------------------------------------------------


async def test_stdio_answers_every_tool_as_over_http(stdio_data: tuple[Path, World], served: tuple[str, World]) -> None:
    data_dir, world = stdio_data
    async with stdio_session(data_dir, TEST_ADMIN_KEY) as session:
        tools = await check_tool_list(session)
        await check_context(session, world)
        await check_context_bad_input(session)
        await check_search_pages(session)
        await check_journey(session, world)
        await check_explain_link(session, world)
        await check_segment_members(session)
    async with http_session(served[0], TEST_ADMIN_KEY) as over_http:
        assert [t.model_dump(mode="json") for t in sorted((await over_http.list_tools()).tools,
                                                           key=lambda t: t.name)] == tools  # fmt: skip


async def test_stdio_refuses_a_key_without_profiles_read(stdio_data: tuple[Path, World]) -> None:
    data_dir, world = stdio_data
    async with stdio_session(data_dir, world.writer_key) as session:
        await check_refused(session, world)


def test_stdio_will_not_start_without_a_valid_key(stdio_data: tuple[Path, World]) -> None:
    env = service_environment(GRAPHCDP_DATA_DIR=str(stdio_data[0]), GRAPHCDP_API_KEY="gcdp_not-a-key", **SETTINGS)
    done = subprocess.run(
        [*GRAPHCDP, "mcp"], env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == "graphcdp: graphcdp mcp has no valid API key: " + (
        "set GRAPHCDP_API_KEY to an API key with scope profiles:read (graphcdp keys create, docs/mcp.md)"
    )


async def test_stdio_through_a_running_service(served: tuple[str, World]) -> None:
    """`graphcdp mcp --url`: the tools query a running service (which checks the key of every call, as above)."""
    url, world = served
    async with stdio_session(Path("/nonexistent"), TEST_ADMIN_KEY, "--url", f"{url}/graphql") as session:
        await check_context(session, world)
        assert error_code(await call(session, "segment_members", key="no-such-segment")) == "SEGMENT_NOT_FOUND"
