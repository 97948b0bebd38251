"""The worker pool: sandbox calls run here, off the event loop.

A Wasm call blocks its thread (and a runaway one blocks it until its own fuel or epoch
deadline stops it), so each call gets a worker thread and the event loop keeps serving
every other request. Guest code runs without the GIL, so calls on different threads run
in parallel on different cores.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def default_workers() -> int:
    """8 per core (at least 8, at most 64): compute-bound calls gain nothing from more threads
    than cores, but a worker stuck in a slow or runaway call must not leave the rest idle."""
    return max(8, min(64, 8 * (os.cpu_count() or 1)))


class WorkerPool:
    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="tracefabric-tool")

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    def shutdown(self, wait: bool = True) -> None:
        """Wait for the calls in flight (each ends by its own deadline at the latest)."""
        self._executor.shutdown(wait=wait, cancel_futures=True)
