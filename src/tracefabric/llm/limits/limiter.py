"""One limiter per provider+model, shared by every caller in the process.

It bounds requests in flight (adaptive, see aimd.py), requests per minute and tokens per
minute, and pauses everyone when the provider says "retry after N seconds".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from .aimd import AdaptiveConcurrency
from .buckets import TokenBucket
from .clock import Clock, MonotonicClock

# In-flight ceiling when the config sets none. The embedded model serves one request at a time.
DEFAULT_CONCURRENCY = {"local": 1, "ollama": 4, "scripted": 64}
DEFAULT_CLOUD_CONCURRENCY = 16


def default_concurrency(provider: str) -> int:
    return DEFAULT_CONCURRENCY.get(provider, DEFAULT_CLOUD_CONCURRENCY)


@dataclass
class Slot:
    """A granted request: when it started and how many tokens it reserved."""

    started_at: float
    reserved_tokens: float


class ProviderLimiter:
    def __init__(
        self,
        key: str,
        *,
        max_concurrency: int,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        clock: Clock | None = None,
        explicit_concurrency: bool = True,
    ) -> None:
        self.key = key
        # False when the ceiling is a provider default, which any explicit setting replaces.
        self.explicit_concurrency = explicit_concurrency
        self.clock = clock or MonotonicClock()
        self.concurrency = AdaptiveConcurrency(max_concurrency, self.clock)
        now = self.clock.now()
        self.requests = TokenBucket(requests_per_minute, now) if requests_per_minute else None
        self.tokens = TokenBucket(tokens_per_minute, now) if tokens_per_minute else None
        self.paused_until = float("-inf")
        self.rate_limited = 0
        self._lock = threading.Lock()

    def tighten(
        self,
        *,
        max_concurrency: int | None = None,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
    ) -> None:
        """Apply another caller's explicit limits: the strictest setting wins."""
        now = self.clock.now()
        with self._lock:
            if max_concurrency is not None and (
                not self.explicit_concurrency or max_concurrency < self.concurrency.ceiling
            ):
                self.concurrency.set_ceiling(max_concurrency)
                self.explicit_concurrency = True
            if requests_per_minute and (
                self.requests is None or requests_per_minute < self.requests.per_minute
            ):
                self.requests = TokenBucket(requests_per_minute, now)
            if tokens_per_minute and (self.tokens is None or tokens_per_minute < self.tokens.per_minute):
                self.tokens = TokenBucket(tokens_per_minute, now)

    async def acquire(self, estimated_tokens: float = 0.0) -> Slot:
        await self.concurrency.acquire()
        try:
            while True:
                with self._lock:
                    now = self.clock.now()
                    wait = self.paused_until - now
                    if self.requests is not None:
                        wait = max(wait, self.requests.wait_time(1, now))
                    if self.tokens is not None:
                        wait = max(wait, self.tokens.wait_time(estimated_tokens, now))
                    if wait <= 0:
                        if self.requests is not None:
                            self.requests.take(1, now)
                        if self.tokens is not None:
                            self.tokens.take(estimated_tokens, now)
                        return Slot(started_at=now, reserved_tokens=estimated_tokens)
                await self.clock.sleep(wait)
        except BaseException:
            self.concurrency.release()
            raise

    def succeeded(self, slot: Slot, actual_tokens: float) -> None:
        with self._lock:
            if self.tokens is not None:
                self.tokens.adjust(slot.reserved_tokens - actual_tokens)
        self.concurrency.on_success()
        self.concurrency.release()

    def failed(self, slot: Slot, *, overloaded: bool = False, retry_after: float | None = None) -> None:
        """A request failed. `overloaded` (429/529) shrinks concurrency; `retry_after` pauses everyone."""
        if overloaded:
            with self._lock:
                self.rate_limited += 1
            self.concurrency.on_overload(slot.started_at)
        if retry_after:
            self.pause(retry_after)
        self.concurrency.release()

    def pause(self, seconds: float) -> None:
        with self._lock:
            self.paused_until = max(self.paused_until, self.clock.now() + seconds)

    def snapshot(self) -> dict[str, Any]:
        return {
            "concurrency_limit": self.concurrency.allowed,
            "concurrency_ceiling": self.concurrency.ceiling,
            "in_flight": self.concurrency.in_flight,
            "waiting": self.concurrency.waiting,
            "rate_limited": self.rate_limited,
            "decreases": self.concurrency.decreases,
            "requests_per_minute": self.requests.per_minute if self.requests else None,
            "tokens_per_minute": self.tokens.per_minute if self.tokens else None,
        }


_registry: dict[str, ProviderLimiter] = {}
_registry_lock = threading.Lock()


def limiter_key(provider: str, model: str, base_url: str | None = None) -> str:
    return f"{provider}:{model}" + (f"@{base_url}" if base_url else "")


def shared_limiter(
    provider: str,
    model: str,
    base_url: str | None = None,
    *,
    max_concurrency: int | None = None,
    requests_per_minute: float | None = None,
    tokens_per_minute: float | None = None,
) -> ProviderLimiter:
    """The process-wide limiter of this provider+model (+ endpoint), created on first use."""
    key = limiter_key(provider, model, base_url)
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None:
            limiter = ProviderLimiter(
                key,
                max_concurrency=max_concurrency or default_concurrency(provider),
                requests_per_minute=requests_per_minute,
                tokens_per_minute=tokens_per_minute,
                explicit_concurrency=max_concurrency is not None,
            )
            _registry[key] = limiter
            return limiter
    limiter.tighten(
        max_concurrency=max_concurrency,
        requests_per_minute=requests_per_minute,
        tokens_per_minute=tokens_per_minute,
    )
    return limiter


def all_limiters() -> dict[str, ProviderLimiter]:
    with _registry_lock:
        return dict(_registry)
