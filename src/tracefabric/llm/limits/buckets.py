"""A token bucket refilled continuously at a per-minute rate (requests or tokens)."""

from __future__ import annotations

# A bucket holds at most this many seconds of allowance, so a fresh run does not fire a whole
# minute's quota in its first second (providers enforce limits over shorter windows too).
BURST_SECONDS = 10.0


class TokenBucket:
    def __init__(self, per_minute: float, now: float, *, burst_seconds: float = BURST_SECONDS) -> None:
        self.per_minute = per_minute
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate * burst_seconds)
        self.level = self.capacity
        self._updated = now

    def _refill(self, now: float) -> None:
        if now > self._updated:
            self.level = min(self.capacity, self.level + (now - self._updated) * self.rate)
            self._updated = now

    def wait_time(self, amount: float, now: float) -> float:
        """Seconds until `amount` can be taken (a request bigger than the bucket waits for a full one)."""
        self._refill(now)
        needed = min(amount, self.capacity)
        return 0.0 if self.level >= needed else (needed - self.level) / self.rate

    def take(self, amount: float, now: float) -> None:
        self._refill(now)
        self.level -= min(amount, self.capacity)

    def adjust(self, amount: float) -> None:
        """Give back (positive) or charge more (negative): reconciles an estimate with the real count."""
        self.level = min(self.capacity, self.level + amount)
