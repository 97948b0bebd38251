"""One-line notices on stderr for slow first-time work (building and compiling components)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def quiet() -> bool:
    return os.environ.get("TRACEFABRIC_QUIET", "") not in ("", "0")


def notice(message: str) -> None:
    if not quiet():
        print(f"tracefabric: {message}", file=sys.stderr, flush=True)


@contextmanager
def step(message: str) -> Iterator[None]:
    """Print `message…` now and `message… done in N s` when the block ends."""
    notice(f"{message}…")
    start = time.perf_counter()
    yield
    notice(f"{message}: done in {time.perf_counter() - start:.1f} s")
