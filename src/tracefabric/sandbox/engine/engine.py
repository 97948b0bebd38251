"""The process-wide wasmtime engine: fuel and epoch interruption on, one ticker thread.

Fuel makes the compute budget of a call reproducible; the epoch deadline is the wall-clock
backstop (it also catches a guest that waits on slow host calls). Serialized artifacts only
load into an engine with the same configuration, so `fingerprint` goes into cache keys.
"""

from __future__ import annotations

import threading
import time
from importlib.metadata import version

import wasmtime

from . import patches

TICK_SECONDS = 0.005


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
        self._ticker = threading.Thread(target=self._tick, name="tracefabric-epoch", daemon=True)
        self._ticker.start()

    @classmethod
    def shared(cls) -> WasmEngine:
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def _tick(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            self.engine.increment_epoch()

    @staticmethod
    def ticks_for(milliseconds: int) -> int:
        return max(1, round(milliseconds / 1000 / TICK_SECONDS))


def _machine() -> str:
    import platform

    return f"{platform.system()}-{platform.machine()}"
