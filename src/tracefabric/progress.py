"""One-line notices on stderr for slow first-time work (building and compiling components)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


def quiet() -> bool:
    return os.environ.get("TRACEFABRIC_QUIET", "") not in ("", "0")


def notice(message: str) -> None:
    if not quiet():
        print(f"tracefabric: {message}", file=sys.stderr, flush=True)


@contextmanager
def step(message: str, *, delay: float = 0.0) -> Iterator[None]:
    """Print `message…` and, when the block ends, `message: done in N s`.

    With `delay`, nothing is printed unless the block is still running after `delay` seconds
    (work that fails at once, e.g. on an invalid file, then leaves just its error)."""
    start = time.perf_counter()
    if delay <= 0:
        notice(f"{message}…")
        yield
        notice(f"{message}: done in {time.perf_counter() - start:.1f} s")
        return
    announced = threading.Event()

    def announce() -> None:
        announced.set()
        notice(f"{message}…")

    timer = threading.Timer(delay, announce)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
    if announced.is_set():
        notice(f"{message}: done in {time.perf_counter() - start:.1f} s")
