"""Suppression of erased identifiers: tombstones keyed by a salted hash of the identifier key.

An erasure (graphcdp/privacy/erasure.py) leaves a `Tombstone` for each identifier it removed: the
HMAC-SHA256 of the identifier key under a random salt made once per graph and kept in it, never the key.
A later record or touchpoint that carries a tombstoned identifier is refused (SUPPRESSED), so a connector's
replay cannot bring the person back, until the suppression is lifted. The check costs one indexed lookup
per batch, for all of its identifiers.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TypeVar

from graphcdp.clock import now_ms
from graphcdp.errors import ErrorCode, GraphCDPError
from graphcdp.identity.normalize import NormalizedIdentifier
from graphcdp.model.identity import ItemError
from graphcdp.model.privacy import SaltValue, TombstoneHash
from graphcdp.store import GraphStore, statement

TOMBSTONE_SALT = statement("privacy/tombstone_salt", SaltValue)
ADD_TOMBSTONES = statement("privacy/add_tombstones", TombstoneHash)
SUPPRESSED = statement("privacy/suppressed", TombstoneHash)
LIFT_SUPPRESSION = statement("privacy/lift_suppression", TombstoneHash)

Item = TypeVar("Item")


class SuppressedError(GraphCDPError):
    code = ErrorCode.SUPPRESSED


class Suppression:
    """Tombstones: written by erasures, checked by every write of records and touchpoints, lifted on request."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._salt: bytes | None = None
        self._lock = asyncio.Lock()

    async def _key(self) -> bytes:
        if self._salt is None:
            async with self._lock:
                if self._salt is None:
                    rows = await self.store.run(TOMBSTONE_SALT, {"candidate": secrets.token_hex(32), "now": now_ms()})
                    self._salt = bytes.fromhex(rows[0].value)
        return self._salt

    async def hashes(self, keys: Iterable[str]) -> dict[str, str]:
        """The tombstone hash of each identifier key."""
        salt = await self._key()
        return {key: hmac.new(salt, key.encode(), hashlib.sha256).hexdigest() for key in set(keys)}

    async def suppressed(self, keys: Collection[str]) -> set[str]:
        """The identifier keys among `keys` that are tombstoned (one round trip)."""
        if not keys:
            return set()
        hashes = await self.hashes(keys)
        found = {row.hash for row in await self.store.run(SUPPRESSED, {"hashes": sorted(set(hashes.values()))})}
        return {key for key, digest in hashes.items() if digest in found}

    async def add(self, keys: Collection[str]) -> int:
        """Tombstone these identifier keys; how many tombstones there are for them now."""
        if not keys:
            return 0
        hashes = await self.hashes(keys)
        return len(await self.store.run(ADD_TOMBSTONES, {"hashes": sorted(hashes.values()), "now": now_ms()}))

    async def lift(self, key: str) -> bool:
        """Remove the tombstone of one identifier key; whether there was one."""
        digest = (await self.hashes([key]))[key]
        return bool(await self.store.run(LIFT_SUPPRESSION, {"hash": digest}))

    async def check(self, identifier: NormalizedIdentifier) -> None:
        """Refuse (SUPPRESSED) a single identifier that is tombstoned."""
        if await self.suppressed([identifier.key]):
            raise SuppressedError(_message([identifier.type]))

    async def refuse(
        self,
        items: Sequence[Item],
        identifiers: Callable[[Item], Iterable[NormalizedIdentifier]],
        index: Callable[[Item], int],
    ) -> tuple[list[Item], list[ItemError]]:
        """The items that carry no tombstoned identifier, and a SUPPRESSED item error for each of the others."""
        found = await self.suppressed({i.key for item in items for i in identifiers(item)})
        if not found:
            return list(items), []
        kept: list[Item] = []
        errors: list[ItemError] = []
        for item in items:
            erased = sorted({i.type for i in identifiers(item) if i.key in found})
            if erased:
                errors.append(ItemError(index=index(item), code=ErrorCode.SUPPRESSED, message=_message(erased)))
            else:
                kept.append(item)
        return kept, errors

    async def explain(
        self,
        items: Sequence[Item],
        identifiers: Callable[[Item], Iterable[NormalizedIdentifier]],
        index: Callable[[Item], int],
    ) -> list[ItemError]:
        """A SUPPRESSED item error for each of `items`, which a write refused for a tombstoned identifier
        (cypher/identity/upsert_records.cypher checks them itself): naming the erased identifier types, or
        every type the item carries when its tombstone was lifted since."""
        found = await self.suppressed({i.key for item in items for i in identifiers(item)})
        errors = []
        for item in items:
            carried = list(identifiers(item))
            erased = sorted({i.type for i in carried if i.key in found} or {i.type for i in carried})
            errors.append(ItemError(index=index(item), code=ErrorCode.SUPPRESSED, message=_message(erased)))
        return errors


def _message(types: list[str]) -> str:
    # The types only: the values are what was erased.
    return (
        f"carries an erased identifier ({', '.join(types)}): its person was forgotten and it is suppressed; "
        "liftSuppression lets it in again"
    )
