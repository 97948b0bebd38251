"""Adaptive concurrency: requests in flight under a limit that halves on overload (429) and
grows back by one per window of successes (additive increase, multiplicative decrease).

Waiters are futures of whatever event loop they run in, so one limiter serves every loop
and thread of the process.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque

from .clock import Clock


def _resolve(future: asyncio.Future[None], give_back: object) -> None:
    if future.cancelled():
        give_back()  # type: ignore[operator]
    elif not future.done():
        future.set_result(None)


class AdaptiveConcurrency:
    def __init__(self, ceiling: int, clock: Clock, *, floor: int = 1, decrease_factor: float = 0.5) -> None:
        self.ceiling = ceiling
        self.floor = min(floor, ceiling)
        self.decrease_factor = decrease_factor
        self.limit = float(ceiling)
        self.in_flight = 0
        self.decreases = 0
        self._clock = clock
        self._last_decrease = float("-inf")
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._lock = threading.Lock()

    @property
    def allowed(self) -> int:
        return max(self.floor, int(self.limit))

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def acquire(self) -> None:
        with self._lock:
            if self.in_flight < self.allowed and not self._waiters:
                self.in_flight += 1
                return
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(future)
        try:
            await future
        except asyncio.CancelledError:
            with self._lock:
                if future in self._waiters:
                    self._waiters.remove(future)
                    return_slot = False
                else:
                    # The slot was handed over just as we were cancelled: pass it on.
                    return_slot = future.done() and not future.cancelled()
            if return_slot:
                self.release()
            raise

    def release(self) -> None:
        with self._lock:
            self.in_flight -= 1
            self._hand_over()

    def set_ceiling(self, ceiling: int) -> None:
        with self._lock:
            backed_off = self.limit < self.ceiling
            self.ceiling = ceiling
            self.floor = min(self.floor, ceiling)
            self.limit = min(self.limit, float(ceiling)) if backed_off else float(ceiling)
            self._hand_over()

    def on_success(self) -> None:
        with self._lock:
            if self.limit < self.ceiling:
                self.limit = min(float(self.ceiling), self.limit + 1.0 / self.limit)
                self._hand_over()

    def on_overload(self, started_at: float) -> bool:
        """Halve the limit, once per wave: answers to requests sent before the last decrease
        carry no news (they were sent under the old limit). Returns whether it decreased."""
        with self._lock:
            if started_at < self._last_decrease:
                return False
            self.limit = max(float(self.floor), self.limit * self.decrease_factor)
            self._last_decrease = self._clock.now()
            self.decreases += 1
            return True

    def _hand_over(self) -> None:
        # Called with the lock held: give free slots to waiters, oldest first.
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        while self._waiters and self.in_flight < self.allowed:
            future = self._waiters.popleft()
            if future.done():
                continue
            self.in_flight += 1
            loop = future.get_loop()
            if loop is running:
                future.set_result(None)
            else:
                loop.call_soon_threadsafe(_resolve, future, self.release)
