"""Identifier normalization and the type policy (docs/identity-resolution.md).

Every identifier is normalized before it touches the graph, so that equal identifiers get equal keys.
Invalid values raise `IdentifierError` with a stable code; blocked values (placeholders such as
`test@test.com` or `null`) come back with `blocked=True`: they are stored but never link.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from graphcdp.errors import ConfigurationError, ErrorCode, GraphCDPError
from graphcdp.model.inputs import InputLimits
from graphcdp.settings import IdentifierKind, split_blocklist_pattern

if TYPE_CHECKING:
    from graphcdp.settings import IdentifierTypeSetting, Settings

MAX_LENGTH = 256
NEW_TYPE_KIND: IdentifierKind = "id"
NEW_TYPE_PRIORITY = 100
NEW_TYPE_LIMIT = 10
# An identifying trait declared as an identifier (GRAPHCDP_IDENTIFYING_TRAITS): one per person, linking early.
TRAIT_TYPE_PRIORITY = 15
TRAIT_TYPE_LIMIT = 1
DEFAULT_LIMITS = InputLimits()

_SHA256 = re.compile(r"[0-9a-f]{64}")
# Separators people type in phone numbers; removed so "000-000-0000" meets the pattern "0+".
_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
_ERROR_CODES: Mapping[IdentifierKind, ErrorCode] = {
    "email": ErrorCode.INVALID_EMAIL,
    "phone": ErrorCode.INVALID_PHONE,
    "sha256": ErrorCode.INVALID_HASHED_EMAIL,
    "id": ErrorCode.INVALID_IDENTIFIER,
}


class IdentifierError(GraphCDPError):
    """An identifier cannot be accepted; `code` says why (UNKNOWN_IDENTIFIER_TYPE or one of _ERROR_CODES)."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class TypePolicy:
    name: str
    kind: IdentifierKind
    priority: int  # lower number = higher priority
    limit: int  # max distinct values of this type in one person


@dataclass(frozen=True)
class NormalizedIdentifier:
    type: str
    value: str
    key: str  # f"{type}:{value}", the identity of the identifier in the graph
    blocked: bool  # stored but never links


BUILTIN_TYPES: Mapping[str, TypePolicy] = {
    policy.name: policy
    for policy in (
        TypePolicy("customer_id", "id", 10, 1),
        TypePolicy("crm_id", "id", 20, 1),
        TypePolicy("loyalty_id", "id", 30, 2),
        TypePolicy("email", "email", 40, 5),
        TypePolicy("hashed_email", "sha256", 45, 5),
        TypePolicy("phone", "phone", 50, 5),
        TypePolicy("device_id", "id", 60, 20),
        TypePolicy("cookie_id", "id", 70, 50),
    )
}


@dataclass(frozen=True)
class _BlockPattern:
    type: str | None  # None: every type
    regex: re.Pattern[str]

    def blocks(self, type_name: str, value: str) -> bool:
        return self.type in (None, type_name) and self.regex.fullmatch(value) is not None


# Identifiers a policy keeps normalized (about 300 bytes each: 40 MB at most); all are dropped when it is full.
NORMALIZED_KEPT = 2**17


class IdentifierPolicy:
    """Declared identifier types, how to normalize their values, and which values never link."""

    def __init__(
        self,
        types: Iterable[TypePolicy] = BUILTIN_TYPES.values(),
        blocklist: Iterable[str] = (),
        default_phone_region: str = "US",
        limits: InputLimits = DEFAULT_LIMITS,
        trait_identifiers: Mapping[str, str] | None = None,
    ) -> None:
        self.limits = limits  # bounds on the items whose identifiers this policy normalizes
        self.trait_identifiers = dict(trait_identifiers or {})  # trait name → the identifier type its value is
        self.types: dict[str, TypePolicy] = {policy.name: policy for policy in types}
        self.default_phone_region = _checked_region(default_phone_region)
        self._blocklist = [self._compile(entry) for entry in blocklist]
        self._normalized: dict[tuple[str, str], NormalizedIdentifier] = {}  # (type, value) as sent → identifier
        self._normalizers: Mapping[IdentifierKind, Callable[[str, str], str]] = {
            "email": _normalize_email,
            "phone": self._normalize_phone,
            "sha256": _normalize_sha256,
            "id": _normalize_id,
        }

    @classmethod
    def from_settings(cls, settings: Settings) -> IdentifierPolicy:
        types = dict(BUILTIN_TYPES)
        trait_identifiers = {t: s.identifier for t, s in settings.identifying_traits.items() if s.identifier}
        for name in trait_identifiers.values():
            types.setdefault(name, TypePolicy(name, "id", TRAIT_TYPE_PRIORITY, TRAIT_TYPE_LIMIT))
        for name, setting in settings.identifier_types.items():
            types[name] = _declared_type(name, setting, types.get(name))
        limits = InputLimits(
            max_trait_length=settings.max_trait_length,
            max_traits_bytes=settings.max_traits_bytes,
            max_identifiers=settings.max_identifiers_per_record,
            max_amount=settings.max_amount,
            earliest_year=settings.earliest_year,
            max_future_ms=int(settings.max_future_seconds * 1000),
        )
        blocklist = [*settings.blocklist, *settings.blocklist_extra]
        return cls(types.values(), blocklist, settings.default_phone_region, limits, trait_identifiers)

    def policy(self, type_name: str) -> TypePolicy:
        if policy := self.types.get(type_name):  # a type as stored: already its name (planning asks thousands of times)
            return policy
        name = type_name.strip().lower()
        if policy := self.types.get(name):
            return policy
        declared = ", ".join(sorted(self.types))
        raise IdentifierError(
            ErrorCode.UNKNOWN_IDENTIFIER_TYPE,
            f"unknown identifier type {_shown(type_name)}; declared types: {declared}",
        )

    def priority(self, type_name: str) -> int:
        return self.policy(type_name).priority

    def limit(self, type_name: str) -> int:
        return self.policy(type_name).limit

    def normalize(self, type_name: str, value: str) -> NormalizedIdentifier:
        """The normalized identifier; raises IdentifierError when the type is unknown or the value invalid."""
        # A cookie or an email comes back in touchpoint after touchpoint (six values in ten of an import's were seen
        # before): each value is validated once. An invalid one is not kept, and raises every time.
        if type(type_name) is not str or type(value) is not str:
            return self._normalize(type_name, value)
        if (known := self._normalized.get((type_name, value))) is not None:
            return known
        normalized = self._normalize(type_name, value)
        if len(self._normalized) >= NORMALIZED_KEPT:
            self._normalized.clear()
        self._normalized[type_name, value] = normalized
        return normalized

    def _normalize(self, type_name: str, value: str) -> NormalizedIdentifier:
        policy = self.policy(type_name)
        raw = _checked_raw(policy.name, value)
        if self._raw_is_blocked(policy, raw):
            # A placeholder need not be valid (phone "0000000000"): keep it, blocked, instead of rejecting it.
            return self._identifier(policy.name, self._best_effort(policy, raw), blocked=True)
        normalized = self._normalizers[policy.kind](policy.name, raw)
        return self._identifier(policy.name, normalized, blocked=self.is_blocked(policy.name, normalized))

    def is_blocked(self, type_name: str, value: str) -> bool:
        """Whether a value of this type matches the blocklist (case-insensitive, whole value)."""
        name = type_name.strip().lower()
        return any(pattern.blocks(name, value) for pattern in self._blocklist)

    def _raw_is_blocked(self, policy: TypePolicy, raw: str) -> bool:
        if self.is_blocked(policy.name, raw):
            return True
        return policy.kind == "phone" and self.is_blocked(policy.name, _PHONE_SEPARATORS.sub("", raw))

    def _best_effort(self, policy: TypePolicy, raw: str) -> str:
        try:
            return self._normalizers[policy.kind](policy.name, raw)
        except IdentifierError:
            return raw.lower()

    @staticmethod
    def _identifier(type_name: str, value: str, *, blocked: bool) -> NormalizedIdentifier:
        return NormalizedIdentifier(type=type_name, value=value, key=f"{type_name}:{value}", blocked=blocked)

    def _compile(self, entry: str) -> _BlockPattern:
        scope, regex = split_blocklist_pattern(entry)
        if scope is not None and scope not in self.types:
            declared = ", ".join(sorted(self.types))
            raise ConfigurationError(
                f"blocklist pattern {entry!r} is scoped to unknown identifier type {scope!r} "
                f"(declared: {declared}; write \\: for a literal colon)"
            )
        try:
            return _BlockPattern(scope, re.compile(regex, re.IGNORECASE))
        except re.error as exc:
            raise ConfigurationError(f"blocklist pattern {entry!r} is not a valid regular expression: {exc}") from None

    def _normalize_phone(self, type_name: str, raw: str) -> str:
        try:
            number = phonenumbers.parse(raw, self.default_phone_region)
        except phonenumbers.NumberParseException as exc:
            raise _invalid("phone", type_name, raw, f"not a phone number ({exc._msg})") from None
        if not phonenumbers.is_valid_number(number):
            region = "" if raw.startswith("+") else f" in region {self.default_phone_region}"
            raise _invalid("phone", type_name, raw, f"not a valid phone number{region}")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _declared_type(name: str, setting: IdentifierTypeSetting, builtin: TypePolicy | None) -> TypePolicy:
    """A type from settings: unset fields keep the built-in's values, or the new-type defaults."""
    base = builtin or TypePolicy(name, NEW_TYPE_KIND, NEW_TYPE_PRIORITY, NEW_TYPE_LIMIT)
    return TypePolicy(
        name=name,
        kind=setting.kind or base.kind,
        priority=base.priority if setting.priority is None else setting.priority,
        limit=base.limit if setting.limit is None else setting.limit,
    )


def _checked_region(region: str) -> str:
    region = region.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigurationError(f"default phone region {region!r} is not a region phonenumbers knows (e.g. US, DE)")
    return region


def _checked_raw(type_name: str, value: str) -> str:
    """The trimmed value, or an INVALID_IDENTIFIER error whatever the kind."""
    raw = value.strip()
    problem = None
    if not raw:
        problem = "is empty"
    elif len(raw) > MAX_LENGTH:
        problem = f"is longer than {MAX_LENGTH} characters"
    elif any(unicodedata.category(char) in ("Cc", "Cs") for char in raw):
        problem = "contains control characters or unpaired surrogates"
    if problem:
        raise IdentifierError(ErrorCode.INVALID_IDENTIFIER, f"{type_name} {_shown(value)} {problem}")
    return raw


def _normalize_email(type_name: str, raw: str) -> str:
    try:
        address = validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise _invalid("email", type_name, raw, f"not a valid email address: {exc}") from None
    # email-validator keeps the local part's case; mailboxes are case-insensitive in practice.
    return address.lower()


def _normalize_sha256(type_name: str, raw: str) -> str:
    digest = raw.lower()
    if not _SHA256.fullmatch(digest):
        raise _invalid("sha256", type_name, raw, "not a SHA-256 hex digest (64 characters 0-9, a-f)")
    return digest


def _normalize_id(type_name: str, raw: str) -> str:
    return raw  # already trimmed and checked: ids are case-sensitive


def _invalid(kind: IdentifierKind, type_name: str, raw: str, reason: str) -> IdentifierError:
    return IdentifierError(_ERROR_CODES[kind], f"{type_name} {_shown(raw)} is {reason}")


def _shown(value: str) -> str:
    """The value quoted for a message, cut short so one bad value cannot flood a log."""
    return repr(value if len(value) <= 80 else f"{value[:80]}…")
