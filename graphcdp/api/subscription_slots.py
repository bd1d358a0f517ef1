"""How many subscriptions each API key holds open at once (GRAPHCDP_MAX_SUBSCRIPTIONS_PER_KEY): every one is a
follower the service wakes on each write, so one key opening thousands would hold its memory and its time."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from graphcdp.errors import RateLimitedError


class SubscriptionSlots:
    def __init__(self, per_key: int) -> None:
        self.per_key = per_key
        self._open: Counter[str] = Counter()

    def open(self, key_name: str) -> int:
        return self._open[key_name]

    @asynccontextmanager
    async def hold(self, key_name: str) -> AsyncIterator[None]:
        """One slot of the key for as long as the subscription runs; RATE_LIMITED when it has none left."""
        if self._open[key_name] >= self.per_key:
            raise RateLimitedError(
                f"this key holds {self.per_key} open subscriptions, the most GRAPHCDP_MAX_SUBSCRIPTIONS_PER_KEY "
                "allows: complete one first"
            )
        self._open[key_name] += 1
        try:
            yield
        finally:
            self._open[key_name] -= 1
            if not self._open[key_name]:
                del self._open[key_name]
