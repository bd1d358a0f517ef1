"""API keys on the real embedded database: only hashes stored, names unique, scopes checked, the in-process cache
(a key created elsewhere works at once, one revoked elsewhere stops within the cache time), the first admin key."""

from __future__ import annotations

import hashlib

import pytest
from pydantic import SecretStr

from graphcdp.auth.audit import AuditTrail
from graphcdp.auth.keys import ADMIN_KEY_NAME, KEYS, ApiKeyService
from graphcdp.auth.scopes import ALL_SCOPES, Scope
from graphcdp.errors import InvalidKeyNameError, InvalidScopeError, KeyExistsError, KeyNotFoundError
from graphcdp.settings import load_settings
from graphcdp.store.falkordb import FalkorDBStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_secret_is_stored_only_as_its_hash(falkordb_store: FalkorDBStore) -> None:
    keys = ApiKeyService(falkordb_store, load_settings(), AuditTrail(falkordb_store))
    created = await keys.create("crm-connector", ["records:write", "profiles:read"], actor="test")
    assert created.secret.startswith("gcdp_") and len(created.secret) >= 40
    assert created.scopes == (Scope.PROFILES_READ, Scope.RECORDS_WRITE)
    [stored] = await falkordb_store.run(KEYS)
    assert stored.hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.secret not in stored.model_dump_json()
    [listed] = await keys.list()
    assert (listed.name, listed.scopes, listed.revoked_at) == ("crm-connector", created.scopes, None)
    assert not hasattr(listed, "hash") and not hasattr(listed, "secret")
    principal = await keys.authenticate(created.secret)
    assert principal is not None and principal.name == "crm-connector"
    assert await keys.authenticate(created.secret + "x") is None


async def test_names_are_unique_and_scopes_known(falkordb_store: FalkorDBStore) -> None:
    keys = ApiKeyService(falkordb_store, load_settings(), AuditTrail(falkordb_store))
    await keys.create("web", ["profiles:read"], actor="test")
    with pytest.raises(KeyExistsError):
        await keys.create("web", ["admin"], actor="test")
    with pytest.raises(InvalidScopeError, match=r"unknown scope profile:read, superuser; the scopes are"):
        await keys.create("other", ["profile:read", "superuser"], actor="test")
    with pytest.raises(InvalidScopeError):
        await keys.create("other", [], actor="test")
    with pytest.raises(InvalidKeyNameError):
        await keys.create("two words", ["admin"], actor="test")
    with pytest.raises(KeyNotFoundError):
        await keys.revoke("nobody", actor="test")
    assert [key.name for key in await keys.list()] == ["web"]


async def test_other_processes_see_new_keys_at_once_and_revocations_within_the_cache_time(
    falkordb_store: FalkorDBStore,
) -> None:
    clock = Clock()
    settings = load_settings(key_cache_seconds=5)
    audit = AuditTrail(falkordb_store)
    here, there = (ApiKeyService(falkordb_store, settings, audit, clock) for _ in range(2))
    assert await there.authenticate("gcdp_nothing") is None  # loads the (empty) keys
    key = await here.create("app", ["profiles:read"], actor="test")
    clock.now += 1.0  # a miss re-reads the keys at most once a second
    assert await there.authenticate(key.secret) is not None
    await here.revoke("app", actor="test")
    assert await here.authenticate(key.secret) is None  # at once where it was revoked
    clock.now += 4.0
    assert await there.authenticate(key.secret) is not None  # still cached elsewhere
    clock.now += 1.0
    assert await there.authenticate(key.secret) is None  # within GRAPHCDP_KEY_CACHE_SECONDS


async def test_the_first_admin_key_is_created_once_and_not_beside_an_admin_key(falkordb_store: FalkorDBStore) -> None:
    env_settings = load_settings(admin_key=SecretStr("gcdp_from-the-environment-0123456789abcdef"))
    with_env_key = ApiKeyService(falkordb_store, env_settings, AuditTrail(falkordb_store))
    assert await with_env_key.bootstrap_admin() is None
    principal = await with_env_key.authenticate("gcdp_from-the-environment-0123456789abcdef")
    assert principal is not None and (principal.name, principal.scopes) == (ADMIN_KEY_NAME, ALL_SCOPES)

    keys = ApiKeyService(falkordb_store, load_settings(), AuditTrail(falkordb_store))
    first = await keys.bootstrap_admin()
    assert first is not None and first.name == "admin" and set(first.scopes) == ALL_SCOPES
    assert await keys.bootstrap_admin() is None
    await keys.revoke("admin", actor="test")
    assert await keys.bootstrap_admin() is None  # a key exists (revoked): the operator decides, with the CLI


async def test_key_changes_are_in_the_audit_trail(falkordb_store: FalkorDBStore) -> None:
    audit = AuditTrail(falkordb_store)
    keys = ApiKeyService(falkordb_store, load_settings(), audit)
    await keys.bootstrap_admin()
    created = await keys.create("shop", ["profiles:read"], actor="admin")
    await keys.revoke("shop", actor="ops")
    entries = await audit.entries(10)
    assert [(e.actor, e.action, e.target) for e in entries] == [
        ("ops", "apiKey.revoked", "shop"),
        ("admin", "apiKey.created", "shop"),
        ("graphcdp serve", "apiKey.created", "admin"),
    ]
    assert all(created.secret not in e.model_dump_json() for e in entries)
    first, rest = await audit.entries(1), await audit.entries(10, (entries[0].at, entries[0].id))
    assert first == entries[:1] and rest == entries[1:]
