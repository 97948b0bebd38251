"""What the host knows about the call a guest is running: who, for which session, allowed what.

Host import functions receive only the wasmtime store; they find the current `CallContext`
through the store's address. The context carries the component's grants (from the
manifest), the scope its stores resolve to, and per-call counters for limits.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .grants import Grants

MAX_OPEN_STORES = 64
MAX_LOG_LINES = 200
MAX_HTTP_REQUESTS = 64


@dataclass
class OpenStore:
    label: str
    shared: bool


class StoreTable:
    """Store handles opened by one instance. They outlive a call (a guest may keep them), and
    resolve to the scope of whichever call is running, which is always the instance's session."""

    def __init__(self) -> None:
        self.open: dict[int, OpenStore] = {}
        self._next = 1

    def add(self, store: OpenStore) -> int | None:
        if len(self.open) >= MAX_OPEN_STORES:
            return None
        rep = self._next
        self._next += 1
        self.open[rep] = store
        return rep


@dataclass
class CallContext:
    grants: Grants
    kind: str  # "execute", "describe" or "manage"
    session_id: str | None
    namespace: str
    stores: StoreTable = field(default_factory=StoreTable)
    log_lines: int = 0
    http_requests: int = 0
    kv_writes: int = 0


def store_key(store: Any) -> int:
    """A stable identity for a wasmtime Store or the StoreContext a host function receives."""
    return ctypes.cast(store._context(), ctypes.c_void_p).value or 0


class ContextRegistry:
    """Store address → the context of the call running in that store (one call per store at a time)."""

    def __init__(self) -> None:
        self._contexts: dict[int, CallContext] = {}
        self._lock = threading.Lock()

    def bind(self, key: int, context: CallContext) -> None:
        with self._lock:
            self._contexts[key] = context

    def unbind(self, key: int) -> None:
        with self._lock:
            self._contexts.pop(key, None)

    def get(self, store: Any) -> CallContext:
        context = self._contexts.get(store_key(store))
        if context is None:
            raise LookupError("host function called outside of a tracefabric call")
        return context
