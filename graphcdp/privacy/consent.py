"""Purpose-based consent, given through an identifier.

A statement is attached to the identifier it was given through, so it follows that identifier through
merges and splits. Every statement is kept: that is the history. Which one is in force is decided on two
clocks (docs/api.md, "Consent"): a statement counts from its `at` (when the customer made it, as the client
says) or from its `recordedAt` (when this server stored it, which no client sets), whichever is earlier;
per purpose and channel the one that counts from the latest time is in force, and at the same time the
protective one (DENIED or REVOKED) wins. So a grant dated ahead cannot outrank a revocation recorded
after it, and a grant dated back cannot outrank a revocation dated after it. Statements dated further
ahead of the server's clock than GRAPHCDP_CONSENT_MAX_CLOCK_SKEW are refused (CONSENT_IN_FUTURE).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from graphcdp.clock import now_ms
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.evidence import Observation, record_evidence
from graphcdp.identity.rules import ResolutionRules
from graphcdp.lifecycle.runs import ServiceRun
from graphcdp.model.feed import ChangeKind, change_for_statement
from graphcdp.model.inputs import MAX_ID_LENGTH, ItemInvalid, check_text
from graphcdp.model.profiles import ConsentStatement, ConsentStatus, PersonConsents, RecordedConsent
from graphcdp.store import GraphStore, statement

RECORD_CONSENT = statement("privacy/record_consent", RecordedConsent)
CONSENTS = statement("privacy/consents", PersonConsents)
EVIDENCE_KIND = "consents"
MAX_NAME = 64


class InvalidConsentError(GraphCDPError):
    code = ErrorCode.INVALID_CONSENT


class ConsentInFutureError(GraphCDPError):
    code = ErrorCode.CONSENT_IN_FUTURE


@dataclass(frozen=True)
class ConsentRequest:
    identifier_type: str
    identifier_value: str
    purpose: str
    channel: str
    status: ConsentStatus
    at: int | None  # epoch ms; None = now
    source: str | None


def _name(value: str, field: str) -> str:
    name = _clean(value, field).strip().lower()
    if not name or len(name) > MAX_NAME:
        raise InvalidConsentError(f"{field} must be 1 to {MAX_NAME} characters (e.g. marketing, email)")
    return name


def _source(value: str | None) -> str | None:
    source = _clean(value, "source").strip() if value else None
    if source and len(source) > MAX_ID_LENGTH:
        raise InvalidConsentError(f"source is longer than {MAX_ID_LENGTH} characters")
    return source or None


def _clean(value: str, field: str) -> str:
    """The text, or INVALID_CONSENT when it holds a control character or an unpaired surrogate."""
    try:
        return check_text(value, field)
    except ItemInvalid as exc:
        raise InvalidConsentError(exc.message) from None


def _iso(ms: int) -> str:
    try:
        return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    except (ValueError, OverflowError, OSError):  # beyond year 9999
        return f"{ms} (epoch ms)"


def check_not_in_future(at: int, now: int, max_clock_skew_ms: int) -> None:
    """Refuse a statement dated further ahead of the server's clock than the allowed skew: a statement is
    made when it is made, and one dated ahead would otherwise look newer than what the customer says next."""
    if at > now + max_clock_skew_ms:
        raise ConsentInFutureError(
            f"{_iso(at)} is in the future (the server's clock says {_iso(now)}; at most "
            f"{max_clock_skew_ms // 1000} s ahead is accepted); send the time the customer made the statement"
        )


async def set_consent(
    store: GraphStore,
    rules: ResolutionRules,
    request: ConsentRequest,
    *,
    max_clock_skew_ms: int,
    run: ServiceRun | None = None,
) -> tuple[ConsentStatement, str]:
    """Record a statement; returns it (as stored: a statement sent again keeps its first `recorded_at`) with
    the person it now belongs to. An identifier never seen before is created with an anonymous person, so
    the statement is there when she turns up. `run` is marked if its evidence is stored and not resolved."""
    identifier = rules.policy.normalize(request.identifier_type, request.identifier_value)
    if identifier.blocked:
        raise InvalidConsentError(
            f"{identifier.key} is a placeholder value (blocklist); no consent can be given through it"
        )
    purpose, channel = _name(request.purpose, "purpose"), _name(request.channel, "channel")
    at = request.at if request.at is not None else now_ms()
    check_not_in_future(at, now_ms(), max_clock_skew_ms)
    source = _source(request.source)
    content = [identifier.key, purpose, channel, request.status.value, at, source]
    consent_id = "c:" + hashlib.sha256(json.dumps(content).encode()).hexdigest()[:32]
    with run.finishing() if run else contextlib.nullcontext():  # stores evidence, then resolves it
        evidence = await record_evidence(store, rules, EVIDENCE_KIND, [Observation((identifier,), at)])
    now = now_ms()
    rows = await store.run(
        RECORD_CONSENT,
        {
            "now": now,
            "consent": {
                "id": consent_id,
                "identifier": identifier.key,
                "purpose": purpose,
                "channel": channel,
                "status": request.status.value,
                "at": at,
                "source": source,
            },
            "change": change_for_statement(
                ChangeKind.CONSENT_CHANGED, {"purpose": purpose, "channel": channel, "status": request.status.value}
            ),
        },
    )
    person = rows[0].person or next(iter(evidence.person_of.values()), "")
    statement_ = ConsentStatement(
        id=consent_id,
        identifier=identifier.key,
        purpose=purpose,
        channel=channel,
        status=request.status,
        at=at,
        source=source,
        recorded_at=rows[0].recorded_at,
    )
    return statement_, person


async def consent_statements(store: GraphStore, persons: Sequence[str]) -> list[list[ConsentStatement]]:
    """All statements of each person, oldest first (the DataLoader's batch function)."""
    rows = {row.person: row.statements for row in await store.run(CONSENTS, {"persons": list(persons)})}
    return [oldest_first(rows.get(person, [])) for person in persons]


def oldest_first(statements: list[ConsentStatement]) -> list[ConsentStatement]:
    return sorted(statements, key=lambda s: (s.at, s.recorded_at, s.id))


_PROTECTIVE = {ConsentStatus.DENIED: 1, ConsentStatus.REVOKED: 1, ConsentStatus.GRANTED: 0}


def counts_from(s: ConsentStatement) -> int:
    """When a statement takes effect: its `at`, but never later than the server recorded it. The server's
    clock cannot be set by a client, so dating a statement ahead buys it nothing."""
    return min(s.at, s.recorded_at)


def _rank(s: ConsentStatement) -> tuple[int, int, int, str]:
    # Latest first; at the same time the protective one; then the later recorded; the id only to be total.
    return (counts_from(s), _PROTECTIVE[s.status], s.recorded_at, s.id)


def effective_consents(statements: Iterable[ConsentStatement]) -> list[ConsentStatement]:
    """The statement in force per (purpose, channel): the one that counts from the latest time
    (`counts_from`); at the same time, the protective one."""
    winners: dict[tuple[str, str], ConsentStatement] = {}
    for s in statements:
        current = winners.get((s.purpose, s.channel))
        if current is None or _rank(s) > _rank(current):
            winners[(s.purpose, s.channel)] = s
    return [winners[k] for k in sorted(winners)]
