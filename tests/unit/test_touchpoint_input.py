"""One TouchpointInput for the API and for touchpoint files: a JSON line decodes into it, the API builds it
from its GraphQL input, and both are checked by the same rules, with the item errors connectors know."""

from __future__ import annotations

from typing import Any

import pytest

from graphcdp.batch import parse_items
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.model.identity import ItemError
from graphcdp.model.inputs import IdentifierValue
from graphcdp.model.profiles import TouchpointInput
from graphcdp.profiles.touchpoint_input import (
    ParsedTouchpoint,
    decode_touchpoint,
    parse_touchpoint,
    parse_touchpoint_item,
)
from graphcdp.settings import load_settings

POLICY = IdentifierPolicy.from_settings(load_settings())
IDS = [{"type": "email", "value": "a@x.com"}]
ORDER_LINE = {
    "type": "Order",
    "occurredAt": "2024-05-01T10:00:00Z",
    "identifiers": [*IDS, {"type": "customer_id", "value": 42}],  # a JSON number is taken as its text
    "amount": 12,
    "currency": "eur",
    "properties": {"sku": "A-1"},
    "channel": " Web ",
    "source": " shop ",
    "unknownKey": "ignored, as it always was",
}
# The content id the previous (dict-parsing) implementation gave this touchpoint: a replay of a touchpoint
# stored before must stay the same touchpoint.
ORDER_CONTENT_ID = "h:f1fc08d1f89f89b864b2fa327cf755cd"


def test_a_json_line_and_an_api_input_are_the_same_touchpoint() -> None:
    from_line = parse_touchpoint_item(0, ORDER_LINE, POLICY)
    from_api = parse_touchpoint(
        0,
        TouchpointInput(
            type="Order",
            occurred_at="2024-05-01T10:00:00Z",
            identifiers=[
                IdentifierValue(type="email", value="a@x.com"),
                IdentifierValue(type="customer_id", value="42"),
            ],
            amount=12.0,
            currency="eur",
            properties={"sku": "A-1"},
            channel=" Web ",
            source=" shop ",
        ),
        POLICY,
    )
    assert isinstance(from_line, ParsedTouchpoint)
    assert from_line == from_api
    assert from_line.id == ORDER_CONTENT_ID
    assert (from_line.type, from_line.channel, from_line.source, from_line.currency) == ("order", "web", "shop", "EUR")
    assert from_line.occurred_at == 1_714_557_600_000 and from_line.amount == 12.0
    assert [i.key for i in from_line.identifiers] == ["email:a@x.com", "customer_id:42"]


def test_a_given_id_is_kept() -> None:
    parsed = parse_touchpoint_item(0, {**ORDER_LINE, "id": " evt-1 "}, POLICY)
    assert isinstance(parsed, ParsedTouchpoint) and parsed.id == "evt-1"


LINE = {"type": "pv", "occurredAt": 1000, "identifiers": IDS}


@pytest.mark.parametrize(
    ("item", "code", "message"),
    [
        ("not an object", "INVALID_TOUCHPOINT", "a touchpoint must be an object"),
        ({"occurredAt": 1000, "identifiers": IDS}, "MISSING_FIELD", "type is required (page_view, order, return, …)"),
        ({**LINE, "type": "  "}, "MISSING_FIELD", "type is required (page_view, order, return, …)"),
        ({**LINE, "type": 5}, "INVALID_FIELD", "type must be a string"),
        ({**LINE, "type": "x" * 300}, "INVALID_FIELD", "type is longer than 256 characters"),
        ({**LINE, "occurredAt": None}, "MISSING_FIELD", "occurredAt is required"),
        ({**LINE, "occurredAt": True}, "INVALID_DATE", "occurredAt must be a date-time, not a boolean"),
        ({**LINE, "occurredAt": [1]}, "INVALID_DATE", "occurredAt must be an ISO-8601 string or epoch milliseconds"),
        (
            {**LINE, "occurredAt": "soon"},
            "INVALID_DATE",
            "occurredAt 'soon' is not an ISO-8601 date-time (e.g. 2024-05-01T10:00:00Z)",
        ),
        (
            {"type": "pv", "occurredAt": 1000},
            "MISSING_IDENTIFIERS",
            "a touchpoint needs at least one identifier {type, value}",
        ),
        ({**LINE, "identifiers": "a@x.com"}, "INVALID_IDENTIFIERS", "identifiers must be a list of {type, value}"),
        (
            {**LINE, "identifiers": [{"type": "email"}]},
            "INVALID_IDENTIFIERS",
            "identifiers[0] must be an object {type, value}",
        ),
        (
            {**LINE, "identifiers": [{"type": "email", "value": "nope@"}]},
            "INVALID_EMAIL",
            "identifiers[0]: email 'nope@' is not a valid email address: There must be something after the @-sign.",
        ),
        ({**LINE, "properties": [1]}, "INVALID_PROPERTIES", "properties must be a JSON object, not list"),
        ({**LINE, "channel": 3}, "INVALID_FIELD", "channel must be a string"),
        ({**LINE, "amount": "12"}, "INVALID_AMOUNT", "amount must be a finite number, not '12'"),
        ({**LINE, "amount": True}, "INVALID_AMOUNT", "amount must be a finite number, not True"),
        ({**LINE, "amount": float("inf")}, "INVALID_AMOUNT", "amount must be a finite number, not inf"),
        (
            {**LINE, "currency": "euros"},
            "INVALID_CURRENCY",
            "currency 'euros' is not a three-letter ISO 4217 code (e.g. EUR)",
        ),
        ({**LINE, "id": 7}, "INVALID_FIELD", "id must be a string"),
        # Several faults: the first in field order (type, occurredAt, identifiers, properties, channel, …).
        ({**LINE, "type": " ", "identifiers": "x"}, "MISSING_FIELD", "type is required (page_view, order, return, …)"),
        (
            {**LINE, "occurredAt": "soon", "amount": "1"},
            "INVALID_DATE",
            "occurredAt 'soon' is not an ISO-8601 date-time (e.g. 2024-05-01T10:00:00Z)",
        ),
    ],
)
def test_item_errors_keep_their_codes_and_messages(item: Any, code: str, message: str) -> None:
    assert parse_touchpoint_item(3, item, POLICY) == ItemError(index=3, code=code, message=message)


def test_one_bad_line_never_affects_the_others() -> None:
    lines: list[Any] = [LINE, {**LINE, "amount": "12"}, [1, 2], {**LINE, "occurredAt": "soon"}, {**LINE, "type": "x"}]
    decoded = [decode_touchpoint(index, line) for index, line in enumerate(lines)]
    parsed, errors = parse_items(
        decoded,
        lambda index, item: item if isinstance(item, ItemError) else parse_touchpoint(index, item, POLICY),
    )
    assert [t.index for t in parsed] == [0, 4]
    assert [(e.index, e.code) for e in errors] == [
        (1, "INVALID_AMOUNT"),
        (2, "INVALID_TOUCHPOINT"),
        (3, "INVALID_DATE"),
    ]
