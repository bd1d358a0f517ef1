"""API keys: created with a random secret shown once, stored as its SHA-256, checked in constant time.

A key is an `ApiKey` node (cypher/auth/): its name, the hash of its secret, its scopes, when it was created and
revoked. The stored keys are kept in memory for GRAPHCDP_KEY_CACHE_SECONDS, so a request costs no database round
trip; a key unknown to the cache makes the process read the keys again (at most once a second), so a key created
by another process works at once, and a key revoked by another process stops working within the cache time.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from graphcdp.auth.audit import SERVICE_ACTOR, AuditAction, AuditTrail
from graphcdp.auth.scopes import ALL_SCOPES, Scope, parse_scopes
from graphcdp.clock import now_ms
from graphcdp.errors import InvalidKeyNameError, KeyExistsError, KeyNotFoundError
from graphcdp.model.auth import ApiKeyCreated, ApiKeyRevoked, StoredApiKey
from graphcdp.settings import Settings
from graphcdp.store import GraphStore, statement

CREATE_KEY = statement("auth/create_key", ApiKeyCreated)
KEYS = statement("auth/keys", StoredApiKey)
REVOKE_KEY = statement("auth/revoke_key", ApiKeyRevoked)

SECRET_PREFIX = "gcdp_"  # noqa: S105 - the prefix of every secret, so scanners recognise leaked keys
ADMIN_KEY_NAME = "GRAPHCDP_ADMIN_KEY"  # the name requests with the environment's admin key are audited under
BOOTSTRAP_KEY_NAME = "admin"
_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
_MISS_REFRESH_SECONDS = 1.0  # an unknown key re-reads the stored keys at most this often


@dataclass(frozen=True)
class Principal:
    """Who sends a request: the key's name (what the audit trail records) and its scopes."""

    name: str
    scopes: frozenset[Scope]

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes


# A request that was not admitted (the GraphiQL page): no scope at all.
NO_ACCESS = Principal("", frozenset())
# GRAPHCDP_AUTH=off: every request may do everything.
UNAUTHENTICATED_ALL = Principal("anonymous (GRAPHCDP_AUTH=off)", ALL_SCOPES)


@dataclass(frozen=True)
class ApiKeyInfo:
    """What may be shown of a key: never its secret or hash."""

    name: str
    scopes: tuple[Scope, ...]
    created_at: int
    revoked_at: int | None


@dataclass(frozen=True)
class NewApiKey:
    """A key just created: the only time its secret is known."""

    name: str
    secret: str
    scopes: tuple[Scope, ...]


def new_secret() -> str:
    """A high-entropy random token (256 bits)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise InvalidKeyNameError(f"key name {name[:100]!r}: 1 to 100 letters, digits, '.', '_' or '-'")
    return name


def _ordered(scopes: frozenset[Scope]) -> tuple[Scope, ...]:
    return tuple(scope for scope in Scope if scope in scopes)


def _info(key: StoredApiKey) -> ApiKeyInfo:
    scopes = frozenset(Scope(s) for s in key.scopes if s in {scope.value for scope in Scope})
    return ApiKeyInfo(key.name, _ordered(scopes), key.created_at, key.revoked_at)


class ApiKeyService:
    def __init__(
        self, store: GraphStore, settings: Settings, audit: AuditTrail, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._store = store
        self._audit = audit
        self._cache_seconds = settings.key_cache_seconds
        admin = settings.admin_key.get_secret_value() if settings.admin_key else ""
        self._admin_hash = secret_hash(admin).encode() if admin else None
        self._clock = clock
        self._active: list[tuple[bytes, Principal]] = []
        self._loaded_at: float | None = None
        self._lock = asyncio.Lock()

    async def create(self, name: str, scopes: list[str] | tuple[str, ...], *, actor: str) -> NewApiKey:
        """A new key with these scopes; its secret is in the answer and nowhere else. `actor` (a key's name) is
        written to the audit trail."""
        name = check_name(name)
        granted = _ordered(parse_scopes(scopes))
        secret = new_secret()
        rows = await self._store.run(
            CREATE_KEY, {"name": name, "hash": secret_hash(secret), "scopes": list(granted), "now": now_ms()}
        )
        if not rows[0].created:
            raise KeyExistsError(f"an API key named {name!r} exists; choose another name")
        self._loaded_at = None
        await self._audit.record(actor, AuditAction.API_KEY_CREATED, name)
        return NewApiKey(name, secret, granted)

    async def list(self) -> list[ApiKeyInfo]:
        return [_info(key) for key in await self._store.run(KEYS)]

    async def revoke(self, name: str, *, actor: str) -> ApiKeyInfo:
        """The key stops working at once in this process, within GRAPHCDP_KEY_CACHE_SECONDS in the others."""
        name = check_name(name)
        if not await self._store.run(REVOKE_KEY, {"name": name, "now": now_ms()}):
            raise KeyNotFoundError(f"no API key is named {name!r}")
        self._loaded_at = None
        await self._audit.record(actor, AuditAction.API_KEY_REVOKED, name)
        return next(key for key in await self.list() if key.name == name)

    async def bootstrap_admin(self) -> NewApiKey | None:
        """With no key stored and no GRAPHCDP_ADMIN_KEY, a first key with every scope (the caller prints it
        once); None otherwise, also when another process created it first."""
        if self._admin_hash is not None or await self._store.run(KEYS):
            return None
        try:
            return await self.create(BOOTSTRAP_KEY_NAME, [scope.value for scope in Scope], actor=SERVICE_ACTOR)
        except KeyExistsError:
            return None

    async def authenticate(self, secret: str) -> Principal | None:
        """The key's principal, or None for an unknown or revoked key. Hashes are compared in constant time."""
        digest = secret_hash(secret).encode()
        if self._admin_hash is not None and hmac.compare_digest(digest, self._admin_hash):
            return Principal(ADMIN_KEY_NAME, ALL_SCOPES)
        if self._stale(self._cache_seconds):
            await self._reload()
        if (found := self._find(digest)) is None and self._stale(_MISS_REFRESH_SECONDS):
            await self._reload()  # created by another process a moment ago?
            found = self._find(digest)
        return found

    def _find(self, digest: bytes) -> Principal | None:
        found = None
        for stored, principal in self._active:  # no early exit: the time does not tell which key matched
            if hmac.compare_digest(digest, stored):
                found = principal
        return found

    def _stale(self, seconds: float) -> bool:
        return self._loaded_at is None or self._clock() - self._loaded_at >= seconds

    async def _reload(self) -> None:
        async with self._lock:
            started = self._clock()
            keys = await self._store.run(KEYS)
            self._active = [
                (key.hash.encode(), Principal(key.name, frozenset(_info(key).scopes)))
                for key in keys
                if key.revoked_at is None
            ]
            self._loaded_at = started
