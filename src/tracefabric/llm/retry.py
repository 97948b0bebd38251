"""Backoff between retries of transient errors: exponential with jitter, honouring Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base: float = 0.5
    cap: float = 30.0
    # A server's Retry-After is a floor; a little jitter on top spreads the herd that it released.
    retry_after_jitter: float = 0.1

    def delay(self, retry: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number `retry` (0-based)."""
        rand = (rng or random).random()
        if retry_after is not None and retry_after > 0:
            return retry_after * (1.0 + self.retry_after_jitter * rand)
        ceiling = min(self.cap, self.base * 2**retry)
        return ceiling / 2 + rand * ceiling / 2  # "equal jitter": never zero, never above the ceiling
