"""Identifier normalization and the type policy, without a database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graphcdp.errors import ConfigurationError
from graphcdp.identity import normalize as normalize_module
from graphcdp.identity.normalize import (
    BUILTIN_TYPES,
    IdentifierError,
    IdentifierPolicy,
    NormalizedIdentifier,
    TypePolicy,
)
from graphcdp.settings import DEFAULT_BLOCKLIST, Settings, load_settings


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the working directory
    for name in ("DEFAULT_PHONE_REGION", "IDENTIFIER_TYPES", "BLOCKLIST", "BLOCKLIST_EXTRA"):
        monkeypatch.delenv(f"GRAPHCDP_{name}", raising=False)


def policy(**overrides: object) -> IdentifierPolicy:
    return IdentifierPolicy.from_settings(load_settings(**overrides))


def rejected(identifiers: IdentifierPolicy, type_name: str, value: str) -> IdentifierError:
    with pytest.raises(IdentifierError) as caught:
        identifiers.normalize(type_name, value)
    return caught.value


# Email


@pytest.mark.parametrize(
    "raw",
    [
        "  Ada.Lovelace@Example.COM ",
        "ada.lovelace@example.com",
        "ADA.LOVELACE@EXAMPLE.COM",
        "\tada.lovelace@example.com\n",
    ],
)
def test_email_is_trimmed_and_lower_cased(raw: str) -> None:
    assert policy().normalize("email", raw) == NormalizedIdentifier(
        type="email", value="ada.lovelace@example.com", key="email:ada.lovelace@example.com", blocked=False
    )


@pytest.mark.parametrize("raw", ["ada@@example", "no-at-sign", "ada@example", "Ada <ada@example.com>"])
def test_invalid_email_names_the_value(raw: str) -> None:
    error = rejected(policy(), "email", raw)
    assert error.code == "INVALID_EMAIL"
    assert f"email {raw!r} is not a valid email address: " in error.message


# Phone


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("(415) 555-2671", "+14155552671"),
        ("415.555.2671", "+14155552671"),
        ("+1 415 555 2671", "+14155552671"),
        ("+49 151 12345678", "+4915112345678"),
    ],
)
def test_phone_becomes_e164(raw: str, e164: str) -> None:
    identifier = policy().normalize("phone", raw)
    assert (identifier.value, identifier.key, identifier.blocked) == (e164, f"phone:{e164}", False)


@pytest.mark.parametrize("raw", ["12", "not a phone", "+1 415 555"])
def test_invalid_phone_names_the_value(raw: str) -> None:
    error = rejected(policy(), "phone", raw)
    assert error.code == "INVALID_PHONE"
    assert f"phone {raw!r} is not a" in error.message


def test_invalid_national_phone_names_the_region() -> None:
    assert "in region US" in rejected(policy(), "phone", "12").message


def test_phone_region_setting_is_honoured() -> None:
    assert policy(default_phone_region="DE").normalize("phone", "0151 12345678").value == "+4915112345678"
    assert policy(default_phone_region="de").normalize("phone", "0151 12345678").value == "+4915112345678"
    # An explicit country code wins over the region.
    assert policy(default_phone_region="DE").normalize("phone", "+1 415 555 2671").value == "+14155552671"


def test_phone_region_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHCDP_DEFAULT_PHONE_REGION", "GB")
    assert policy().normalize("phone", "020 7946 0018").value == "+442079460018"


def test_unknown_phone_region_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(default_phone_region="XX")
    assert "GRAPHCDP_DEFAULT_PHONE_REGION" in caught.value.message
    assert "'XX'" in caught.value.message
    with pytest.raises(ConfigurationError, match="'ZZ'"):
        IdentifierPolicy(default_phone_region="ZZ")


# Hashed email and ids

DIGEST = "a" * 32 + "0123456789abcdef" * 2


def test_hashed_email_is_lower_cased() -> None:
    identifier = policy().normalize("hashed_email", f"  {DIGEST.upper()} ")
    assert identifier.value == DIGEST
    assert identifier.key == f"hashed_email:{DIGEST}"


@pytest.mark.parametrize("raw", ["xyz", DIGEST[:-1], DIGEST + "0", "g" * 64, "ada@example.com"])
def test_invalid_hashed_email(raw: str) -> None:
    error = rejected(policy(), "hashed_email", raw)
    assert error.code == "INVALID_HASHED_EMAIL"
    assert repr(raw) in error.message


@pytest.mark.parametrize("type_name", ["customer_id", "crm_id", "loyalty_id", "device_id", "cookie_id"])
def test_ids_are_trimmed_and_keep_their_case(type_name: str) -> None:
    identifier = policy().normalize(type_name, "  AbC-123_x ")
    assert (identifier.type, identifier.value, identifier.key) == (type_name, "AbC-123_x", f"{type_name}:AbC-123_x")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [("", "is empty"), ("   ", "is empty"), ("x" * 257, "longer than 256"), ("ab\x00c", "control characters")],
)
@pytest.mark.parametrize("type_name", ["customer_id", "email", "phone", "hashed_email"])
def test_empty_long_or_control_characters_are_invalid(type_name: str, raw: str, problem: str) -> None:
    error = rejected(policy(), type_name, raw)
    assert error.code == "INVALID_IDENTIFIER"
    assert problem in error.message and type_name in error.message


def test_a_256_character_id_is_accepted() -> None:
    assert policy().normalize("cookie_id", "x" * 256).value == "x" * 256


def test_long_values_are_cut_short_in_messages() -> None:
    assert len(rejected(policy(), "crm_id", "y" * 10_000).message) < 200


# Types and the policy


def test_type_names_are_matched_case_insensitively() -> None:
    identifier = policy().normalize("  Customer_ID ", "42")
    assert (identifier.type, identifier.key) == ("customer_id", "customer_id:42")


def test_unknown_type_lists_the_declared_types() -> None:
    error = rejected(policy(identifier_types={"member_id": {}}), "passport", "X1")
    assert error.code == "UNKNOWN_IDENTIFIER_TYPE"
    assert "'passport'" in error.message
    assert "cookie_id, crm_id, customer_id, device_id, email, hashed_email, loyalty_id, member_id, phone" in (
        error.message
    )


def test_default_priorities_and_limits() -> None:
    identifiers = policy()
    expected = {
        "customer_id": (10, 1),
        "crm_id": (20, 1),
        "loyalty_id": (30, 2),
        "email": (40, 5),
        "hashed_email": (45, 5),
        "phone": (50, 5),
        "device_id": (60, 20),
        "cookie_id": (70, 50),
    }
    assert {name: (identifiers.priority(name), identifiers.limit(name)) for name in identifiers.types} == expected
    assert identifiers.types == BUILTIN_TYPES


def test_declared_type_from_settings() -> None:
    identifiers = policy(
        identifier_types={"member_id": {"priority": 25, "limit": 1}, "Hashed_Phone": {"kind": "sha256"}}
    )
    assert identifiers.policy("member_id") == TypePolicy("member_id", "id", 25, 1)
    assert identifiers.policy("hashed_phone") == TypePolicy("hashed_phone", "sha256", 100, 10)
    assert identifiers.normalize("member_id", " M-7 ").key == "member_id:M-7"
    assert identifiers.normalize("hashed_phone", DIGEST.upper()).value == DIGEST


def test_declared_types_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "GRAPHCDP_IDENTIFIER_TYPES", '{"member_id": {"priority": 25, "limit": 1}, "email": {"limit": 3}}'
    )
    identifiers = policy()
    assert (identifiers.priority("member_id"), identifiers.limit("member_id")) == (25, 1)
    assert identifiers.policy("email") == TypePolicy("email", "email", 40, 3)


def test_override_of_a_builtin_keeps_its_kind_and_priority() -> None:
    identifiers = policy(identifier_types={"email": {"limit": 3}})
    assert identifiers.policy("email") == TypePolicy("email", "email", 40, 3)
    assert rejected(identifiers, "email", "no-at-sign").code == "INVALID_EMAIL"
    assert identifiers.limit("phone") == 5  # the others are untouched


@pytest.mark.parametrize(
    ("types", "mentions"),
    [
        ({"member id": {}}, "'member id'"),
        ({"member_id": {"kind": "uuid"}}, "GRAPHCDP_IDENTIFIER_TYPES at member_id.kind"),
        ({"member_id": {"limit": 0}}, "GRAPHCDP_IDENTIFIER_TYPES at member_id.limit"),
        ({"member_id": {"limt": 1}}, "GRAPHCDP_IDENTIFIER_TYPES at member_id.limt"),
        ({"Email": {}, "email": {}}, "declared twice"),
    ],
)
def test_bad_identifier_types_are_configuration_errors(types: dict[str, object], mentions: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(identifier_types=types)
    assert mentions in caught.value.message
    assert "\n" not in caught.value.message


def test_identifier_types_that_are_not_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHCDP_IDENTIFIER_TYPES", "member_id=25")
    with pytest.raises(ConfigurationError, match="GRAPHCDP_IDENTIFIER_TYPES: not valid JSON"):
        load_settings()


# Blocklist


@pytest.mark.parametrize(
    ("type_name", "raw", "value"),
    [
        ("email", "test@test.com", "test@test.com"),
        ("email", " TEST@TEST.COM ", "test@test.com"),
        ("email", "Test@Example.com", "test@example.com"),
        ("email", "noemail@nowhere", "noemail@nowhere"),  # blocked although not a valid address
        ("phone", "0000000000", "0000000000"),  # blocked although not a valid number
        ("phone", "000-000-0000", "000-000-0000"),
        ("phone", "+000", "+000"),
        ("phone", "1234567890", "1234567890"),
        ("cookie_id", "null", "null"),
        ("cookie_id", "NULL", "NULL"),  # ids keep their case, even blocked
        ("device_id", "n/a", "n/a"),
        ("customer_id", "xxxx", "xxxx"),
        ("crm_id", "---", "---"),
        ("loyalty_id", " Anonymous ", "Anonymous"),
    ],
)
def test_placeholders_are_blocked_not_rejected(type_name: str, raw: str, value: str) -> None:
    identifier = policy().normalize(type_name, raw)
    assert identifier == NormalizedIdentifier(type_name, value, f"{type_name}:{value}", blocked=True)


def test_blocked_valid_value_is_normalized() -> None:
    identifier = policy(blocklist_extra=["phone:.*555.*"]).normalize("phone", "(415) 555-2671")
    assert (identifier.value, identifier.blocked) == ("+14155552671", True)


def test_normalized_value_is_checked_too() -> None:
    # The raw value does not match, its normalized form does.
    identifier = policy(blocklist_extra=[r"\+14155552671"]).normalize("phone", "(415) 555-2671")
    assert identifier.blocked


@pytest.mark.parametrize(
    ("type_name", "raw"), [("email", "ada@example.com"), ("cookie_id", "nullable"), ("crm_id", "a-b")]
)
def test_real_values_are_not_blocked(type_name: str, raw: str) -> None:
    assert not policy().normalize(type_name, raw).blocked


def test_type_scoped_pattern_only_blocks_that_type() -> None:
    identifiers = policy(blocklist_extra=["cookie_id:guest", "Device_ID:00000000-.*"])
    assert identifiers.normalize("cookie_id", "GUEST").blocked
    assert not identifiers.normalize("customer_id", "guest").blocked
    assert identifiers.normalize("device_id", "00000000-0000-0000").blocked
    assert not identifiers.normalize("cookie_id", "00000000-0000-0000").blocked


def test_blocklist_extra_adds_to_the_defaults() -> None:
    identifiers = policy(blocklist_extra=[r"email:.*@mailinator\.com"])
    assert identifiers.normalize("email", "someone@mailinator.com").blocked
    assert identifiers.normalize("email", "test@test.com").blocked


def test_blocklist_replaces_the_defaults() -> None:
    identifiers = policy(blocklist=["guest"])
    assert identifiers.normalize("cookie_id", "guest").blocked
    assert not identifiers.normalize("cookie_id", "null").blocked
    assert Settings().blocklist == list(DEFAULT_BLOCKLIST)


def test_blocklist_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHCDP_BLOCKLIST_EXTRA", '["guest", "email:.*@spam\\\\.example"]')
    identifiers = policy()
    assert identifiers.normalize("cookie_id", "guest").blocked
    assert identifiers.normalize("email", "a@spam.example").blocked
    assert identifiers.normalize("cookie_id", "null").blocked


def test_escaped_colon_is_a_pattern_for_every_type() -> None:
    identifiers = policy(blocklist_extra=[r"urn\:none"])
    assert identifiers.normalize("crm_id", "urn:none").blocked


@pytest.mark.parametrize("setting", ["blocklist", "blocklist_extra"])
def test_invalid_regex_is_a_configuration_error(setting: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(**{setting: ["null", "email:(unclosed"]})
    assert f"GRAPHCDP_{setting.upper()}" in caught.value.message
    assert "'email:(unclosed'" in caught.value.message


def test_invalid_regex_given_directly_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match=r"'\[a-'"):
        IdentifierPolicy(blocklist=["[a-"])


def test_pattern_scoped_to_an_unknown_type_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="'passport:x'"):
        policy(blocklist_extra=["passport:x"])
    # Declared types can be scoped.
    assert policy(identifier_types={"passport": {}}, blocklist_extra=["passport:x"]).normalize("passport", "X").blocked


def test_an_identifying_trait_declares_its_identifier_type_unless_identifier_types_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRAPHCDP_IDENTIFYING_TRAITS", '{"nationalId": {"identifier": "national_id"}, "taxNumber": {}}')
    identifiers = policy()
    assert identifiers.policy("national_id") == TypePolicy("national_id", "id", 15, 1)
    assert identifiers.trait_identifiers == {"nationalId": "national_id"}
    assert policy(identifier_types={"national_id": {"limit": 2}}).policy("national_id") == TypePolicy(
        "national_id", "id", 15, 2
    )


@pytest.mark.parametrize(
    ("declared", "mentions"),
    [('{"national id": {}}', "plain trait name"), ('{"nationalId": {"identifier": "National-ID"}}', "lower-case")],
)
def test_an_identifying_trait_with_a_bad_name_is_refused(
    monkeypatch: pytest.MonkeyPatch, declared: str, mentions: str
) -> None:
    monkeypatch.setenv("GRAPHCDP_IDENTIFYING_TRAITS", declared)
    with pytest.raises(ConfigurationError, match=mentions):
        load_settings()


def test_a_value_seen_before_is_not_validated_again_and_an_invalid_one_raises_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Touchpoints bring the same cookies and emails again and again: each (type, value) is validated once.
    validated: list[str] = []
    real = normalize_module.validate_email

    def counted(value: str, **options: Any) -> Any:
        validated.append(value)
        return real(value, **options)

    monkeypatch.setattr(normalize_module, "validate_email", counted)
    policy = IdentifierPolicy()
    first = policy.normalize("email", " Anna@Example.com")
    assert policy.normalize("email", " Anna@Example.com") == first
    assert first.key == "email:anna@example.com"
    assert validated == ["Anna@Example.com"]
    for _ in range(2):
        with pytest.raises(IdentifierError):
            policy.normalize("email", "not an address")
    assert validated.count("not an address") == 2
