"""Purpose-based consent, given through an identifier.

A statement is attached to the identifier it was given through, so it follows that identifier through
merges and splits. Per purpose and channel the latest statement wins; at the same instant the more
protective one (DENIED or REVOKED) wins. Every statement is kept: that is the history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graphcdp.clock import now_ms
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.evidence import Observation, record_evidence
from graphcdp.identity.rules import ResolutionRules
from graphcdp.model.profiles import ConsentStatement, ConsentStatus, PersonConsents, RecordedConsent
from graphcdp.store import GraphStore, statement

RECORD_CONSENT = statement("privacy/record_consent", RecordedConsent)
CONSENTS = statement("privacy/consents", PersonConsents)
EVIDENCE_KIND = "consents"
MAX_NAME = 64


class InvalidConsentError(GraphCDPError):
    code = ErrorCode.INVALID_CONSENT


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
    name = value.strip().lower()
    if not name or len(name) > MAX_NAME:
        raise InvalidConsentError(f"{field} must be 1 to {MAX_NAME} characters (e.g. marketing, email)")
    return name


async def set_consent(
    store: GraphStore, rules: ResolutionRules, request: ConsentRequest
) -> tuple[ConsentStatement, str]:
    """Record a statement; returns it with the person it now belongs to. An identifier never seen before
    is created with an anonymous person, so the statement is there when she turns up."""
    identifier = rules.policy.normalize(request.identifier_type, request.identifier_value)
    if identifier.blocked:
        raise InvalidConsentError(
            f"{identifier.key} is a placeholder value (blocklist); no consent can be given through it"
        )
    purpose, channel = _name(request.purpose, "purpose"), _name(request.channel, "channel")
    at = request.at if request.at is not None else now_ms()
    source = request.source.strip() if request.source and request.source.strip() else None
    content = [identifier.key, purpose, channel, request.status.value, at, source]
    consent_id = "c:" + hashlib.sha256(json.dumps(content).encode()).hexdigest()[:32]
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
        recorded_at=now,
    )
    return statement_, person


async def consent_statements(store: GraphStore, persons: Sequence[str]) -> list[list[ConsentStatement]]:
    """All statements of each person, oldest first (the DataLoader's batch function)."""
    rows = {row.person: row.statements for row in await store.run(CONSENTS, {"persons": list(persons)})}
    return [sorted(rows.get(person, []), key=lambda s: (s.at, s.recorded_at, s.id)) for person in persons]


_PROTECTIVE = {ConsentStatus.DENIED: 1, ConsentStatus.REVOKED: 1, ConsentStatus.GRANTED: 0}


def effective_consents(statements: Iterable[ConsentStatement]) -> list[ConsentStatement]:
    """The statement in force per (purpose, channel): the latest; at the same instant, the protective one."""
    winners: dict[tuple[str, str], ConsentStatement] = {}
    for s in statements:
        current = winners.get((s.purpose, s.channel))
        if current is None or (s.at, _PROTECTIVE[s.status]) > (current.at, _PROTECTIVE[current.status]):
            winners[(s.purpose, s.channel)] = s
    return [winners[k] for k in sorted(winners)]
