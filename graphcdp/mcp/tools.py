"""The MCP tools: each one GraphQL document (documents.py) run through the caller's gateway, its answer returned
as compact text plus structured content (results.py, text.py). What the caller's key may not read, an unknown
customer and a bad argument come back as a tool error starting with its ErrorCode, never as a crash."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from graphcdp import __version__
from graphcdp.errors import ErrorCode
from graphcdp.mcp import documents, results, text
from graphcdp.mcp.gateway import Gateway
from graphcdp.mcp.results import (
    CustomerContextResult,
    JourneyResult,
    LinkExplanationResult,
    SearchResult,
    SegmentMembersResult,
)

log = logging.getLogger(__name__)

CONTEXT_TOUCHPOINTS = 5  # the latest touchpoints a context shows (the journey tool pages through the rest)
PAGE_LIMIT = 25  # the most items any tool returns in one answer
DEFAULT_PAGE = 10

INSTRUCTIONS = (
    "graphcdp is an identity graph of customers: every identifier (email, phone, customer or loyalty id, device, "
    "cookie) resolves to one person with golden traits, consents, metrics, a journey of touchpoints and segment "
    "memberships. Start with get_customer_context for a customer you know an identifier of, or search_customers "
    "by a name, email or phone fragment; then customer_journey for her touchpoints, explain_link to see why two "
    "identifiers belong to one person, and segment_members for an audience. Lists come one page at a time: pass "
    "the cursor an answer gives to get the next. Answers hold personal data: use them for this customer's "
    "request only."
)

_PREFIXED = re.compile(r"^([a-z][a-z0-9_]*):(.+)$", re.DOTALL)
_PHONE_LIKE = re.compile(r"^\+?[0-9][0-9 ().\-/]{5,}$")


class ToolRefusal(Exception):
    """A call that cannot be answered: the tool error's code and message. The message may quote the caller's input
    (a GraphQL error's does), so only the code is ever logged."""

    def __init__(self, code: ErrorCode | str, message: str) -> None:
        super().__init__(message)
        self.code = code.value if isinstance(code, ErrorCode) else code
        self.message = message


GatewayProvider = Callable[[Context], Awaitable[Gateway]]


def identifier_input(identifier: str, type_: str | None) -> dict[str, str]:
    """The IdentifierInput of a tool's identifier: `type` when given, else a `type:value` prefix, else an email
    (has @) or a phone number (digits and punctuation)."""
    value = identifier.strip()
    if type_:
        type_ = type_.strip()
        return {"type": type_, "value": value.removeprefix(f"{type_}:")}
    if (prefixed := _PREFIXED.match(value)) and "@" not in prefixed.group(1):
        return {"type": prefixed.group(1), "value": prefixed.group(2)}
    if "@" in value:
        return {"type": "email", "value": value}
    if _PHONE_LIKE.match(value):
        return {"type": "phone", "value": value}
    raise ToolRefusal(
        ErrorCode.UNKNOWN_IDENTIFIER_TYPE,
        "cannot tell this identifier's type: give `type` (email, phone, customer_id, crm_id, loyalty_id, "
        "device_id, cookie_id, hashed_email) or write it as type:value",
    )


async def _query(ctx: Context, provider: GatewayProvider, document: str, variables: Mapping[str, Any]) -> Any:
    """The data of the document's one root field; a ToolRefusal carrying the first GraphQL error otherwise."""
    gateway = await provider(ctx)
    answer = await gateway.execute(document, variables)
    if answer.errors:
        first = answer.errors[0]
        raise ToolRefusal(first.code, first.message)
    if not answer.data:
        raise ToolRefusal(ErrorCode.INTERNAL_ERROR, "the service gave no answer")
    return next(iter(answer.data.values()))


def _answer(result: BaseModel, compact: str) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=compact)],
        structured_content=result.model_dump(mode="json", by_alias=True),
    )


def _refused(tool: str, refusal: ToolRefusal) -> CallToolResult:
    log.info("MCP tool %s refused: %s", tool, refusal.code)  # the code only: messages may hold input values
    return CallToolResult(content=[TextContent(type="text", text=f"{refusal.code}: {refusal.message}")], is_error=True)


_READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)

Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=1000,
        description="An identifier of the customer as the caller has it: an email, a phone number (international "
        "form, +44…), or type:value for any other type (customer_id:C-42, loyalty_id:L9, cookie_id:…). Any "
        "spelling: it is normalized as on ingest.",
    ),
]
IdentifierType = Annotated[
    str | None,
    Field(
        default=None,
        max_length=64,
        description="The identifier's type when it is not obvious: email, phone, customer_id, crm_id, loyalty_id, "
        "device_id, cookie_id, hashed_email, or a type the service declares. Omit it for an email, a phone "
        "number or a type:value identifier.",
    ),
]
Cursor = Annotated[
    str | None,
    Field(default=None, max_length=1000, description="The `next_cursor` of the previous answer, for the next page."),
]


def build_server(provider: GatewayProvider) -> MCPServer:
    """The MCP server with graphcdp's tools; `provider` gives each call the gateway of its caller."""
    # The SDK configures logging (basicConfig) when nothing did before it: at WARNING, not its INFO default.
    server: MCPServer = MCPServer("graphcdp", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool(title="Customer context", annotations=_READ_ONLY)
    async def get_customer_context(
        ctx: Context, identifier: Identifier, type: IdentifierType = None
    ) -> Annotated[CallToolResult, CustomerContextResult]:
        """Everything known about the customer behind one identifier, in one call: a one-line summary, golden
        traits (name, birth date, address…), identifiers, the consent in force per purpose and channel, order and
        engagement metrics (with RFM scores), segment memberships and her 5 latest touchpoints. Use it first
        when a customer is known by an email, phone or id. An identifier no person holds is an error
        (PERSON_NOT_FOUND): try search_customers. Needs scope profiles:read."""
        try:
            variables = {"identifier": identifier_input(identifier, type), "touchpoints": CONTEXT_TOUCHPOINTS}
            raw = await _query(ctx, provider, documents.CONTEXT, variables)
            if raw is None:
                raise ToolRefusal(ErrorCode.PERSON_NOT_FOUND, "no person holds this identifier")
            found = results.customer_context(raw)
            return _answer(found, text.customer_context_text(found))
        except ToolRefusal as refusal:
            return _refused("get_customer_context", refusal)

    @server.tool(title="Search customers", annotations=_READ_ONLY)
    async def search_customers(
        ctx: Context,
        query: Annotated[
            str,
            Field(
                min_length=2,
                max_length=200,
                description="A fragment of a name, email or phone number (at least 2 characters): 'ada lov', "
                "'lovelace@', '7700 900'. An email or phone equal to the query ranks first.",
            ),
        ],
        limit: Annotated[
            int, Field(default=DEFAULT_PAGE, ge=1, le=PAGE_LIMIT, description="Customers per page (1-25).")
        ] = DEFAULT_PAGE,
        cursor: Cursor = None,
    ) -> Annotated[CallToolResult, SearchResult]:
        """Find customers by a fragment of their name, email or phone number, best match first, each with her
        person id, name, identifiers, score (0-100) and what matched. One page per call; pass `next_cursor` as
        `cursor` for more. Persons merged into another never appear. Needs scope profiles:read."""
        try:
            variables = {"query": query, "first": limit, "after": cursor}
            found = results.search_result(query, await _query(ctx, provider, documents.SEARCH, variables))
            return _answer(found, text.search_text(found))
        except ToolRefusal as refusal:
            return _refused("search_customers", refusal)

    @server.tool(title="Customer journey", annotations=_READ_ONLY)
    async def customer_journey(
        ctx: Context,
        person_id: Annotated[
            str,
            Field(
                min_length=1,
                max_length=200,
                description="The person id, as get_customer_context or search_customers give it. An id retired "
                "by a merge answers with the surviving person.",
            ),
        ],
        types: Annotated[
            list[Annotated[str, Field(min_length=1, max_length=100)]] | None,
            Field(
                default=None,
                max_length=20,
                description="Only touchpoints of these types (order, return, page_view, email_open, …); omit for all.",
            ),
        ] = None,
        limit: Annotated[
            int, Field(default=DEFAULT_PAGE, ge=1, le=PAGE_LIMIT, description="Touchpoints per page (1-25).")
        ] = DEFAULT_PAGE,
        cursor: Cursor = None,
    ) -> Annotated[CallToolResult, JourneyResult]:
        """A customer's touchpoints across all of her identifiers, newest first: type, channel, time, source,
        amount and currency, with the total count. One page per call; pass `next_cursor` as `cursor` for older
        ones. An unknown person id is an error (PERSON_NOT_FOUND). Needs scope profiles:read."""
        try:
            variables = {"id": person_id, "first": limit, "after": cursor, "types": types or None}
            raw = await _query(ctx, provider, documents.JOURNEY, variables)
            if raw is None:
                raise ToolRefusal(ErrorCode.PERSON_NOT_FOUND, "no person has this id")
            found = results.journey_result(raw)
            return _answer(found, text.journey_text(found))
        except ToolRefusal as refusal:
            return _refused("customer_journey", refusal)

    @server.tool(title="Explain a link", annotations=_READ_ONLY)
    async def explain_link(
        ctx: Context,
        a: Annotated[
            str, Field(min_length=1, max_length=1000, description="One identifier (email, phone, type:value).")
        ],
        b: Annotated[str, Field(min_length=1, max_length=1000, description="The other identifier.")],
    ) -> Annotated[CallToolResult, LinkExplanationResult]:
        """Why two identifiers belong to one person, or why not: the evidence path between them, each hop with
        its provenance (the source record that observed an identifier, or a probabilistic match with its score
        and whether a reviewer accepted it). Identifiers are an email, a phone number or type:value. Needs scope
        profiles:read."""
        try:
            variables = {"a": identifier_input(a, None), "b": identifier_input(b, None)}
            found = results.link_explanation(await _query(ctx, provider, documents.EXPLAIN_LINK, variables))
            return _answer(found, text.link_text(found))
        except ToolRefusal as refusal:
            return _refused("explain_link", refusal)

    @server.tool(title="Segment members", annotations=_READ_ONLY)
    async def segment_members(
        ctx: Context,
        key: Annotated[str, Field(min_length=1, max_length=200, description="The segment's key, e.g. vip-customers.")],
        limit: Annotated[
            int, Field(default=DEFAULT_PAGE, ge=1, le=PAGE_LIMIT, description="Members per page (1-25).")
        ] = DEFAULT_PAGE,
        cursor: Cursor = None,
    ) -> Annotated[CallToolResult, SegmentMembersResult]:
        """The members of a saved segment (an audience kept current as customers change), by person id, each
        with her name and identifiers, and the segment's name, description and size. One page per call; pass
        `next_cursor` as `cursor` for more. An unknown key is an error (SEGMENT_NOT_FOUND). Needs scope
        profiles:read."""
        try:
            variables = {"key": key, "first": limit, "after": cursor}
            raw = await _query(ctx, provider, documents.SEGMENT_MEMBERS, variables)
            if raw is None:
                raise ToolRefusal(ErrorCode.SEGMENT_NOT_FOUND, "no segment has this key")
            found = results.segment_members(raw)
            return _answer(found, text.segment_text(found))
        except ToolRefusal as refusal:
            return _refused("segment_members", refusal)

    return server
