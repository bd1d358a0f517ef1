"""Per-key rate limits (GRAPHCDP_RATE_LIMIT, GRAPHCDP_RATE_LIMIT_BURST): a token bucket per key name, per process."""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class RateLimiter:
    """Each key may send `rate` requests per second on average and `burst` at once."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key name -> (tokens, when counted)

    def retry_after(self, key: str) -> int:
        """0 when the request may go on (it is counted); else the whole seconds to wait before the next one."""
        if self.rate <= 0:
            return 0
        now = self._clock()
        tokens, then = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0
        self._buckets[key] = (tokens, now)
        return max(1, math.ceil((1 - tokens) / self.rate))
