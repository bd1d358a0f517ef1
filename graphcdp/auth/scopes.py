"""The scopes an API key can hold; every field of Query and Mutation declares the one it needs (api/auth.py)."""

from __future__ import annotations

from enum import StrEnum

from graphcdp.errors import InvalidScopeError


class Scope(StrEnum):
    PROFILES_READ = "profiles:read"  # profiles, persons, records, context, journeys, search, graph, explainLink
    RECORDS_WRITE = "records:write"  # upsertRecords, trackTouchpoints, detachRecord: trusted to link identifiers
    CONSENT_WRITE = "consent:write"  # setConsent
    REVIEW = "review"  # the review queue and its decisions
    SEGMENTS_WRITE = "segments:write"  # defining segments
    CHANGES_READ = "changes:read"  # the change feed: changes and its subscriptions (ids and keys, never values)
    PRIVACY = "privacy"  # erasure, export, suppression, deleteRecord
    ADMIN = "admin"  # the matching model, API keys, the audit trail: whatever changes the service's configuration


ALL_SCOPES: frozenset[Scope] = frozenset(Scope)


def parse_scopes(names: list[str] | tuple[str, ...]) -> frozenset[Scope]:
    """Scope names as given by a user (`profiles:read`); an unknown or missing one is refused, naming the known."""
    cleaned = [name.strip() for name in names if name.strip()]
    if not cleaned:
        raise InvalidScopeError(f"give at least one scope: {', '.join(Scope)}")
    known = {scope.value for scope in Scope}
    unknown = sorted({name for name in cleaned if name not in known})
    if unknown:
        raise InvalidScopeError(f"unknown scope {', '.join(unknown)}; the scopes are {', '.join(Scope)}")
    return frozenset(Scope(name) for name in cleaned)
