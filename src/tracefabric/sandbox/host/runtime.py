"""Running one component: compiled code, its grants, and one live instance per session.

Instances are per session: a session's calls reuse its instance (a warm call costs ~0.2 ms),
and no guest memory ever passes from one session to another. A new session gets a fresh
instance (instantiation and a first call: ~2.5 ms). Optionally (`pool_size`), a background
thread keeps a few instances instantiated and warmed up, which brings a session's first
call down to ~1 ms when the host is mostly idle; under load the refills cost more CPU than
they save, so the pool is off by default. Management and describe requests use
a throwaway instance. State that must last lives in the key-value store, scoped by the
host. An instance that trapped is discarded, and the host's `InstanceBudget` drops the least
recently used idle instances beyond its limit of live ones (across every component).
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any

from wasmtime import Store, WasmtimeError
from wasmtime.component import Component, Func, Linker

from tracefabric.errors import ErrorType

from .budget import InstanceBudget
from .context import CallContext, ContextRegistry, StoreTable, store_key
from .grants import Grants
from .traps import classify

# Instantiation runs the component's start code: give it a generous budget of its own.
INSTANTIATE_FUEL = 20_000_000_000
# Warm-up requests run in a scope no real session can name (session ids start alphanumeric).
WARMUP_SESSION = "__warmup__"

log = logging.getLogger("tracefabric.sandbox")


@dataclass
class CallOutcome:
    """The guest's JSON answer, or a host-made failure; plus what the call cost."""

    payload: dict[str, Any]
    fuel_used: int
    duration_ms: float
    trapped: bool = False


class Instance:
    def __init__(self, runtime: ComponentRuntime) -> None:
        self.runtime = runtime
        self.lock = threading.Lock()
        self.store = Store(runtime.engine)
        config = runtime.grants.config
        self.store.set_limits(memory_size=config.memory_limit_mb * 1024 * 1024)
        self.key = store_key(self.store)
        self.last_used = time.monotonic()
        self.poisoned = False
        self.stores = StoreTable()
        self.store.set_fuel(INSTANTIATE_FUEL)
        self.store.set_epoch_deadline(runtime.ticks(max(config.timeout_ms, 5000)))
        with runtime.running():
            instance = runtime.linker.instantiate(self.store, runtime.component)
        func = instance.get_func(self.store, "handle")
        if func is None:
            raise WasmtimeError(
                "component does not export `handle` (it must target the tracefabric:tool world)"
            )
        self.handle: Func = func

    def call(self, context: CallContext, request: dict[str, Any]) -> CallOutcome:
        """Run one request. The caller holds `self.lock`."""
        runtime = self.runtime
        config = runtime.grants.config
        registry = runtime.registry
        raw = json.dumps(request, ensure_ascii=False)
        try:
            size = len(raw.encode("utf-8"))
        except UnicodeEncodeError:  # a lone surrogate: the host refuses these before they get here
            return CallOutcome(
                _failure(ErrorType.INVALID_REQUEST, "the request is not valid Unicode"), 0, 0.0
            )
        if size > config.max_request_bytes:
            return CallOutcome(
                _failure(ErrorType.RESOURCE_EXHAUSTED, "request exceeds the size limit"), 0, 0.0
            )
        self.store.set_fuel(config.fuel)
        self.store.set_epoch_deadline(runtime.ticks(config.timeout_ms))
        context.stores = self.stores
        registry.bind(self.key, context)
        start = time.perf_counter()
        try:
            with runtime.running():
                out = self.handle(self.store, raw)
                self.handle.post_return(self.store)
        except WasmtimeError as exc:
            self.poisoned = True
            error_type, message = classify(
                str(exc), fuel=config.fuel, timeout_ms=config.timeout_ms, memory_mb=config.memory_limit_mb
            )
            return CallOutcome(_failure(error_type, message), config.fuel, _ms(start), trapped=True)
        finally:
            registry.unbind(self.key)
            self.last_used = time.monotonic()
        fuel_used = config.fuel - self.store.get_fuel()
        duration = _ms(start)
        if len(out) > config.max_response_bytes:
            return CallOutcome(
                _failure(ErrorType.RESOURCE_EXHAUSTED, "the tool's response exceeds the size limit"),
                fuel_used,
                duration,
            )
        try:
            payload = json.loads(out)
        except ValueError:
            return CallOutcome(
                _failure(ErrorType.COMPONENT_ERROR, "the component answered with invalid JSON"), 0, 0
            )
        if not isinstance(payload, dict):
            return CallOutcome(
                _failure(ErrorType.COMPONENT_ERROR, "the component answered with a non-object"), 0, 0
            )
        return CallOutcome(payload, fuel_used, duration)


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _failure(error_type: str, message: str) -> dict[str, Any]:
    return {"success": False, "result": message, "error_type": error_type}


class ComponentRuntime:
    def __init__(
        self,
        name: str,
        grants: Grants,
        component: Component,
        linker: Linker,
        registry: ContextRegistry,
        engine: Any,
        ticks: Any,
        budget: InstanceBudget | None = None,
        pool_size: int = 0,
        refiller: PoolRefiller | None = None,
        running: Any = None,
    ) -> None:
        self.name = name
        self.grants = grants
        self.component = component
        self.linker = linker
        self.registry = registry
        self.engine = engine
        self.ticks = ticks
        # Shared by the host's runtimes: live session instances across all components.
        self.budget = budget or InstanceBudget()
        self.pool_size = pool_size
        self._refiller = refiller
        # A context manager entered around guest code (keeps the epoch deadline ticking).
        self.running = running or contextlib.nullcontext
        self._pool: deque[Instance] = deque()
        self._sessions: OrderedDict[str, Instance] = OrderedDict()
        self._lock = threading.Lock()
        self.pool_hits = 0
        self.pool_misses = 0

    # -- the pool of fresh, warmed-up instances ----------------------------------------
    def warm_instance(self) -> Instance:
        instance = Instance(self)
        context = CallContext(self.grants, "execute", WARMUP_SESSION, "default")
        with instance.lock:
            instance.call(context, {"kind": "warmup", "labels": sorted(self.grants.stores)})
        return instance

    def refill(self) -> None:
        """Top the pool up to `pool_size` (called from the refiller thread)."""
        while True:
            with self._lock:
                if len(self._pool) >= self.pool_size:
                    return
            try:
                instance = self.warm_instance()
            except Exception as exc:  # never let the background thread die
                log.warning("could not pre-instantiate component %r: %s", self.name, exc)
                return
            if instance.poisoned:
                return
            with self._lock:
                self._pool.append(instance)

    def _fresh_instance(self) -> Instance:
        with self._lock:
            pooled = self._pool.popleft() if self._pool else None
        if self._refiller is not None and self.pool_size > 0:
            self._refiller.request(self)
        if pooled is not None:
            self.pool_hits += 1
            return pooled
        self.pool_misses += 1
        return Instance(self)

    # -- sessions ---------------------------------------------------------------------
    def _session_instance(self, session_id: str) -> Instance:
        with self._lock:
            instance = self._sessions.get(session_id)
            if instance is not None and not instance.poisoned:
                self._sessions.move_to_end(session_id)
                return instance
        fresh = self._fresh_instance()  # outside the lock: instantiation takes ~1-4 ms
        with self._lock:
            current = self._sessions.get(session_id)
            if current is not None and not current.poisoned:
                return current  # another thread won the race; ours is simply dropped
            self._sessions[session_id] = fresh
            self._sessions.move_to_end(session_id)
            return fresh

    def evict_idle(self, session_id: str) -> bool:
        """Drop the session's instance unless a call is using it (the budget's LRU); its state is
        in the key-value store, and its next call gets a fresh instance. True when it is gone."""
        with self._lock:
            instance = self._sessions.get(session_id)
            if instance is None:
                return True
            if instance.lock.locked():
                return False
            del self._sessions[session_id]
            return True

    def execute(self, context: CallContext, request: dict[str, Any]) -> CallOutcome:
        assert context.session_id is not None
        while True:
            instance = self._session_instance(context.session_id)
            self.budget.used(self, context.session_id)
            with instance.lock:
                if instance.poisoned:
                    continue  # it trapped in another thread's call: take a fresh one
                outcome = instance.call(context, request)
            if outcome.trapped:
                self._discard(context.session_id, instance)
            return outcome

    def oneshot(self, context: CallContext, request: dict[str, Any]) -> CallOutcome:
        """Describe and management requests: a fresh instance, dropped afterwards."""
        instance = Instance(self)
        with instance.lock:
            return instance.call(context, request)

    def _discard(self, session_id: str, instance: Instance) -> None:
        with self._lock:
            if self._sessions.get(session_id) is not instance:
                return
            del self._sessions[session_id]
        self.budget.dropped(self, session_id)

    def end_session(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)
        self.budget.dropped(self, session_id)

    def live_sessions(self) -> list[str]:
        with self._lock:
            return list(self._sessions)

    def idle_sessions(self, older_than_s: float) -> list[str]:
        cutoff = time.monotonic() - older_than_s
        with self._lock:
            return [sid for sid, inst in self._sessions.items() if inst.last_used < cutoff]


class PoolRefiller:
    """One background thread that keeps every runtime's pool of fresh instances topped up."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[ComponentRuntime | None] = queue.SimpleQueue()
        self._pending: set[int] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="tracefabric-pool", daemon=True)
        self._thread.start()

    def request(self, runtime: ComponentRuntime) -> None:
        with self._lock:
            if id(runtime) in self._pending:
                return
            self._pending.add(id(runtime))
        self._queue.put(runtime)

    def _run(self) -> None:
        while True:
            runtime = self._queue.get()
            if runtime is None:
                return
            with self._lock:
                self._pending.discard(id(runtime))
            runtime.refill()

    def close(self) -> None:
        # Wait for a refill in progress: it uses the stores, which the host closes next
        # (SQLite crashes when a connection is closed under a running statement).
        self._queue.put(None)
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=30)
