"""When a failed delivery is tried again: exponential backoff with jitter, within its retry window."""

from __future__ import annotations

import random
from dataclasses import dataclass

from graphcdp.settings import Settings

HOUR_MS = 3_600_000


@dataclass(frozen=True)
class RetryPolicy:
    first_seconds: float
    max_seconds: float
    window_ms: int  # from the hand-over to the dead letter

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            settings.webhook_retry_first_seconds,
            settings.webhook_retry_max_seconds,
            int(settings.webhook_retry_hours * HOUR_MS),
        )

    def delay_ms(self, attempts: int, rng: random.Random) -> int:
        """The wait after the `attempts`-th failed attempt: doubling from the first delay up to the longest, half
        of it random ("equal jitter"), so receivers coming back are not hit by every sender at the same moment."""
        ceiling = min(self.max_seconds, self.first_seconds * 2 ** min(attempts - 1, 40))
        return int(1000 * (ceiling / 2 + rng.uniform(0, ceiling / 2)))
