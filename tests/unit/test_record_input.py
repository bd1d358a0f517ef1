"""One RecordInput for the API and the bulk import: a raw item decodes into it or into the item error
connectors have always got (same code, same message), and parse_record checks what needs the policy."""

from __future__ import annotations

from typing import Any

import pytest

from graphcdp.batch import decode_item
from graphcdp.identity.input import ParsedRecord, parse_record, parse_record_item
from graphcdp.identity.normalize import IdentifierPolicy
from graphcdp.model.identity import ItemError, RecordInput
from graphcdp.model.inputs import IdentifierValue
from graphcdp.settings import load_settings

OK: dict[str, Any] = {"source": "crm", "sourceId": "1", "identifiers": [{"type": "email", "value": "A@x.com"}]}


@pytest.fixture(scope="module")
def policy() -> IdentifierPolicy:
    return IdentifierPolicy.from_settings(load_settings())


def test_a_json_line_decodes_into_typed_fields() -> None:
    item = OK | {"sourceId": 42, "observedAt": "2024-05-01T10:00:00Z", "traits": {"firstName": "Ada"}, "extra": 1}
    decoded = decode_item(RecordInput, 0, item)
    assert decoded == RecordInput(
        source="crm",
        source_id="42",
        observed_at=1714557600000,
        identifiers=[IdentifierValue(type="email", value="A@x.com")],
        traits={"firstName": "Ada"},
    )
    epoch = decode_item(RecordInput, 0, OK | {"observedAt": 1714557600000})
    assert isinstance(epoch, RecordInput) and epoch.observed_at == 1714557600000


@pytest.mark.parametrize(
    ("item", "code", "message"),
    [
        (["not", "an", "object"], "INVALID_RECORD", "a record must be an object"),
        ({"sourceId": "1"}, "MISSING_FIELD", "source is required and must be a non-empty string"),
        (OK | {"source": True}, "MISSING_FIELD", "source is required and must be a non-empty string"),
        (OK | {"sourceId": "  "}, "MISSING_FIELD", "sourceId is required and must be a non-empty string"),
        (OK | {"sourceId": "x" * 257}, "INVALID_FIELD", "sourceId is longer than 256 characters"),
        (
            OK | {"source": "graphcdp.touchpoints"},
            "RESERVED_SOURCE",
            "source names starting with 'graphcdp.' are reserved",
        ),
        (
            OK | {"observedAt": "yesterday-ish"},
            "INVALID_DATE",
            "observedAt 'yesterday-ish' is not an ISO-8601 date-time (e.g. 2024-05-01T10:00:00Z)",
        ),
        (OK | {"observedAt": True}, "INVALID_DATE", "observedAt must be a date-time, not a boolean"),
        (OK | {"identifiers": "a@x.com"}, "INVALID_IDENTIFIERS", "identifiers must be a list of {type, value}"),
        (
            OK | {"identifiers": [{"type": "email"}]},
            "INVALID_IDENTIFIERS",
            "identifiers[0] must be an object {type, value}",
        ),
        (OK | {"traits": ["a"]}, "INVALID_TRAITS", "traits must be a JSON object, not list"),
    ],
)
def test_an_item_that_does_not_decode_is_its_own_item_error(item: Any, code: str, message: str) -> None:
    assert decode_item(RecordInput, 3, item) == ItemError(index=3, code=code, message=message)


@pytest.mark.parametrize(
    ("item", "code", "message"),
    [
        (OK | {"identifiers": [{"type": "email", "value": "a@@x"}]}, "INVALID_EMAIL", "identifiers[0]: "),
        ({"source": "crm", "sourceId": "1"}, "EMPTY_RECORD", "a record needs at least one identifier or one trait"),
    ],
)
def test_parse_record_checks_what_needs_the_policy(
    policy: IdentifierPolicy, item: dict[str, Any], code: str, message: str
) -> None:
    parsed = parse_record(5, RecordInput.model_validate(item), policy)
    assert isinstance(parsed, ItemError) and (parsed.index, parsed.code) == (5, code)
    assert parsed.message.startswith(message)


@pytest.mark.parametrize(
    ("traits", "code", "message"),
    [
        ({"birthDate": "1990-13-45"}, "TRAIT_NOT_A_DATE", "traits.birthDate '1990-13-45' is not a date"),
        ({"address": "Main St"}, "TRAIT_UNEXPECTED_TYPE", "traits.address is not an object"),
    ],
)
def test_a_trait_not_understood_is_kept_as_sent_with_a_warning(
    policy: IdentifierPolicy, traits: dict[str, Any], code: str, message: str
) -> None:
    parsed = parse_record(5, RecordInput.model_validate(OK | {"traits": traits}), policy)
    assert isinstance(parsed, ParsedRecord) and parsed.traits == traits
    [warning] = parsed.warnings
    assert (warning.index, warning.code) == (5, code) and warning.message.startswith(message)


def test_a_record_without_observed_at_is_observed_now_and_hashes_without_it(policy: IdentifierPolicy) -> None:
    first, second = (parse_record_item(0, OK, policy), parse_record_item(1, OK, policy))
    assert isinstance(first, ParsedRecord) and isinstance(second, ParsedRecord)
    assert not first.observed_given and first.observed_at > 0
    assert first.content_hash == second.content_hash
    assert [i.key for i in first.identifiers] == ["email:a@x.com"]
