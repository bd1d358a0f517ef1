"""API keys as stored in the graph (cypher/auth/): a name, the hash of the secret, scopes and times."""

from __future__ import annotations

from graphcdp.model.base import DomainModel


class StoredApiKey(DomainModel):
    """An API key as stored (auth/keys): never the secret itself, only its SHA-256."""

    name: str
    hash: str
    scopes: list[str]
    created_at: int
    revoked_at: int | None = None


class ApiKeyCreated(DomainModel):
    """auth/create_key: created is false when the name was taken."""

    name: str
    created: bool


class ApiKeyRevoked(DomainModel):
    name: str
    revoked_at: int


class AuditEntry(DomainModel):
    """One entry of the audit trail (audit/entries): never personal data, only ids and names."""

    id: str
    at: int
    actor: str
    action: str
    target: str
