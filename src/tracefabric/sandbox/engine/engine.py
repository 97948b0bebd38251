"""The process-wide wasmtime engine: fuel and epoch interruption on, one ticker thread.

Fuel makes the compute budget of a call reproducible; the epoch deadline is the wall-clock
backstop (it also catches a guest that waits on slow host calls). Serialized artifacts only
load into an engine with the same configuration, so `fingerprint` goes into cache keys.

The ticker only runs while a guest call is in flight: waking up 100 times a second for
nothing would cost CPU (and GIL hand-offs) in every process that imported the sandbox.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version

import wasmtime

from . import patches

TICK_SECONDS = 0.01


class WasmEngine:
    _instance: WasmEngine | None = None
    _instance_lock = threading.Lock()

    def __init__(self) -> None:
        patches.apply()
        config = wasmtime.Config()
        config.consume_fuel = True
        config.epoch_interruption = True
        config.cranelift_opt_level = "speed"
        self.engine = wasmtime.Engine(config)
        self.fingerprint = f"wasmtime={version('wasmtime')};fuel=1;epoch=1;opt=speed;arch={_machine()}"
        self._active = 0
        self._wake = threading.Condition()
        self._ticker = threading.Thread(target=self._tick, name="tracefabric-epoch", daemon=True)
        self._ticker.start()

    @classmethod
    def shared(cls) -> WasmEngine:
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    @contextmanager
    def running(self) -> Iterator[None]:
        """Wrap every entry into guest code: keeps the epoch ticking while it runs."""
        with self._wake:
            self._active += 1
            if self._active == 1:
                self._wake.notify()
        try:
            yield
        finally:
            with self._wake:
                self._active -= 1

    def _tick(self) -> None:
        while True:
            with self._wake:
                while self._active == 0:
                    self._wake.wait()
            time.sleep(TICK_SECONDS)
            self.engine.increment_epoch()

    @staticmethod
    def ticks_for(milliseconds: int) -> int:
        return max(1, round(milliseconds / 1000 / TICK_SECONDS))


def _machine() -> str:
    import platform

    return f"{platform.system()}-{platform.machine()}"
