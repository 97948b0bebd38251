"""How many session instances stay live at once, across every component: the least recently
used idle ones go beyond the limit.

A session's instance is a cache. What a session must keep lives in the key-value store, so
a dropped instance costs only a rebuild (instantiation and a first call, ~2.5 ms) the next
time its session calls; its files are still there. A live instance costs memory: a few MB
for the built-in components, up to its manifest `memory_limit_mb` for a guest that grew its
heap. Without a limit, a client opening sessions grows the server without bound.

Instances in use are never dropped (the limit can be exceeded by the calls in flight, at
most one per worker thread).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol

DEFAULT_MAX_INSTANCES = 512


class EvictableRuntime(Protocol):
    name: str

    def evict_idle(self, session_id: str) -> bool:
        """Drop the session's instance unless a call is using it; True when it is gone."""
        ...


class InstanceBudget:
    def __init__(self, limit: int | None = DEFAULT_MAX_INSTANCES) -> None:
        if limit is not None and limit < 1:
            raise ValueError("the instance limit must be at least 1")
        self.limit = limit
        self.evictions = 0
        self._order: OrderedDict[tuple[str, str], EvictableRuntime] = OrderedDict()
        self._lock = threading.Lock()

    def used(self, runtime: EvictableRuntime, session_id: str) -> None:
        """The session's instance of `runtime` was just used; drop the oldest beyond the limit.

        Lock order: the budget's lock, then a runtime's. Runtimes call this without holding
        their own lock."""
        key = (runtime.name, session_id)
        with self._lock:
            self._order[key] = runtime
            self._order.move_to_end(key)
            if self.limit is None or len(self._order) <= self.limit:
                return
            for old_key in list(self._order)[:-1]:
                if len(self._order) <= self.limit:
                    break
                if self._order[old_key].evict_idle(old_key[1]):
                    del self._order[old_key]
                    self.evictions += 1

    def dropped(self, runtime: EvictableRuntime, session_id: str) -> None:
        """The runtime dropped the session's instance by itself (session ended, trap)."""
        with self._lock:
            self._order.pop((runtime.name, session_id), None)

    def live(self) -> int:
        with self._lock:
            return len(self._order)
