"""Proactive limits per provider+model: adaptive concurrency, requests/min, tokens/min."""

from .aimd import AdaptiveConcurrency
from .buckets import TokenBucket
from .clock import Clock, FakeClock, MonotonicClock
from .limiter import ProviderLimiter, Slot, all_limiters, default_concurrency, shared_limiter

__all__ = [
    "AdaptiveConcurrency",
    "Clock",
    "FakeClock",
    "MonotonicClock",
    "ProviderLimiter",
    "Slot",
    "TokenBucket",
    "all_limiters",
    "default_concurrency",
    "shared_limiter",
]
