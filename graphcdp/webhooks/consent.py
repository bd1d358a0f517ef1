"""Consent on the way out: a destination with a purpose (and a channel) is sent nothing about a person whose
consent in force for it is not GRANTED, as graphcdp/privacy/consent.py decides which statement is in force.
Without a channel, a GRANTED statement in force on some channel of the purpose is enough (as in segments)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from graphcdp.model.feed import Change, ChangeKind
from graphcdp.model.profiles import ConsentStatement, ConsentStatus, PersonConsents
from graphcdp.privacy.consent import effective_consents
from graphcdp.store import GraphStore, statement

PERSON_CONSENTS = statement("webhooks/person_consents", PersonConsents)
SUPPRESSED_BY_CONSENT = "suppressed by consent"


@dataclass(frozen=True)
class ConsentRule:
    purpose: str
    channel: str | None

    def sent_regardless(self, change: Change) -> bool:
        """Events sent whatever her consent: ERASED (ids only; a receiver holding her must erase her too), and a
        change of her consent for this very purpose (and channel), so a receiver learns that she revoked it."""
        if change.kind is ChangeKind.ERASED:
            return True
        return (
            change.kind is ChangeKind.CONSENT_CHANGED
            and change.data.get("purpose") == self.purpose
            and (self.channel is None or change.data.get("channel") == self.channel)
        )

    def allows(self, statements: Iterable[ConsentStatement]) -> bool:
        return any(
            s.status is ConsentStatus.GRANTED
            for s in effective_consents(statements)
            if s.purpose == self.purpose and (self.channel is None or s.channel == self.channel)
        )


async def consenting(store: GraphStore, rule: ConsentRule, persons: Collection[str]) -> set[str]:
    """The persons (ids as events name them; a retired id answers for her survivor) that the rule allows."""
    if not persons:
        return set()
    rows = await store.run(PERSON_CONSENTS, {"persons": sorted(set(persons))})
    return {row.person for row in rows if rule.allows(row.statements)}
