"""Session TTL: abandoned sessions are ended (instances dropped, stored data deleted).

Clients end their sessions with `DELETE /session/{id}`; a client that crashes or forgets
leaves instances and key-value data behind. The tracker records when each session was
last used (the router tells it) and `sweep()` ends those idle longer than the TTL.
Sessions found in the stores at startup (left by an earlier run) are adopted as if just
used, so they too go after one TTL unless someone uses them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from tracefabric.sandbox.kv import session_scope

if TYPE_CHECKING:
    from tracefabric.sandbox.host import SandboxHost

log = logging.getLogger("tracefabric.server")
SESSION_PREFIX = session_scope("")


class SessionTracker:
    def __init__(
        self, host: SandboxHost, ttl_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if ttl_s <= 0:
            raise ValueError("the session TTL must be positive")
        self.host = host
        self.ttl_s = ttl_s
        self._clock = clock
        self._last_used: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def interval_s(self) -> float:
        """How often to sweep: a quarter of the TTL, between 50 ms and a minute."""
        return min(60.0, max(0.05, self.ttl_s / 4))

    # -- SessionObserver --------------------------------------------------------------
    def touch(self, session_id: str) -> None:
        now = self._clock()
        with self._lock:
            self._last_used[session_id] = now

    def forget(self, session_id: str) -> None:
        with self._lock:
            self._last_used.pop(session_id, None)

    # -- sweeping ---------------------------------------------------------------------
    def tracked(self) -> int:
        with self._lock:
            return len(self._last_used)

    def adopt_stored(self) -> int:
        """Track the sessions that have data in the stores (left by an earlier run)."""
        labels = sorted(
            {label for c in self.host.manifest.component.values() for label in c.key_value_stores}
        )
        found: set[str] = set()
        for label in labels:
            for scope in self.host.kv.scopes(label, SESSION_PREFIX):
                found.add(scope[len(SESSION_PREFIX) :])
        now = self._clock()
        with self._lock:
            for session_id in found:
                self._last_used.setdefault(session_id, now)
        return len(found)

    def sweep(self) -> list[str]:
        """End every session idle for longer than the TTL; returns their ids."""
        cutoff = self._clock() - self.ttl_s
        with self._lock:
            expired = [sid for sid, used in self._last_used.items() if used < cutoff]
            for session_id in expired:
                del self._last_used[session_id]
        swept: set[str] = set()
        for session_id in expired:
            try:
                self.host.end_session(session_id)
            except Exception:  # an id the host refuses can't hold data; never stop the sweep
                log.warning("could not end idle session %r", session_id, exc_info=True)
                continue
            swept.add(session_id)
        return sorted(swept)
