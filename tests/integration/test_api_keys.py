"""API keys on the real embedded database: only hashes stored, names unique, scopes checked, the in-process cache
(a key created elsewhere works at once, one revoked elsewhere stops within the cache time), the first admin key."""

from __future__ import annotations

import hashlib

import pytest
from pydantic import SecretStr

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
    keys = ApiKeyService(falkordb_store, load_settings())
    created = await keys.create("crm-connector", ["records:write", "profiles:read"])
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
    keys = ApiKeyService(falkordb_store, load_settings())
    await keys.create("web", ["profiles:read"])
    with pytest.raises(KeyExistsError):
        await keys.create("web", ["admin"])
    with pytest.raises(InvalidScopeError, match=r"unknown scope profile:read, superuser; the scopes are"):
        await keys.create("other", ["profile:read", "superuser"])
    with pytest.raises(InvalidScopeError):
        await keys.create("other", [])
    with pytest.raises(InvalidKeyNameError):
        await keys.create("two words", ["admin"])
    with pytest.raises(KeyNotFoundError):
        await keys.revoke("nobody")
    assert [key.name for key in await keys.list()] == ["web"]


async def test_other_processes_see_new_keys_at_once_and_revocations_within_the_cache_time(
    falkordb_store: FalkorDBStore,
) -> None:
    clock = Clock()
    settings = load_settings(key_cache_seconds=5)
    here, there = ApiKeyService(falkordb_store, settings, clock), ApiKeyService(falkordb_store, settings, clock)
    assert await there.authenticate("gcdp_nothing") is None  # loads the (empty) keys
    key = await here.create("app", ["profiles:read"])
    clock.now += 1.0  # a miss re-reads the keys at most once a second
    assert await there.authenticate(key.secret) is not None
    await here.revoke("app")
    assert await here.authenticate(key.secret) is None  # at once where it was revoked
    clock.now += 4.0
    assert await there.authenticate(key.secret) is not None  # still cached elsewhere
    clock.now += 1.0
    assert await there.authenticate(key.secret) is None  # within GRAPHCDP_KEY_CACHE_SECONDS


async def test_the_first_admin_key_is_created_once_and_not_beside_an_admin_key(falkordb_store: FalkorDBStore) -> None:
    with_env_key = ApiKeyService(falkordb_store, load_settings(admin_key=SecretStr("gcdp_from-the-environment")))
    assert await with_env_key.bootstrap_admin() is None
    principal = await with_env_key.authenticate("gcdp_from-the-environment")
    assert principal is not None and (principal.name, principal.scopes) == (ADMIN_KEY_NAME, ALL_SCOPES)

    keys = ApiKeyService(falkordb_store, load_settings())
    first = await keys.bootstrap_admin()
    assert first is not None and first.name == "admin" and set(first.scopes) == ALL_SCOPES
    assert await keys.bootstrap_admin() is None
    await keys.revoke("admin")
    assert await keys.bootstrap_admin() is None  # a key exists (revoked): the operator decides, with the CLI
