"""Progress of a run: a rich bar on a terminal, plain log lines for CI, or nothing.

The run calls `start`, `record`, `failure`, `note` and `finish`; token counts are read
from the run's usage tracker when the display refreshes (not per record).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO


class Progress(Protocol):
    def start(self, total: int, done: int, label: str) -> None: ...

    def record(self) -> None: ...

    def failure(self, reason: str, final: bool) -> None: ...

    def note(self, message: str) -> None: ...

    def finish(self) -> None: ...


TokenSource = Callable[[], tuple[int, float | None]]  # (tokens so far, cost so far)


def _fmt_tokens(tokens: int) -> str:
    if tokens >= 1_000_000:
        return f"{tokens / 1_000_000:.1f}M"
    if tokens >= 10_000:
        return f"{tokens / 1000:.0f}k"
    return str(tokens)


class NoProgress:
    def start(self, total: int, done: int, label: str) -> None:
        return None

    def record(self) -> None:
        return None

    def failure(self, reason: str, final: bool) -> None:
        return None

    def note(self, message: str) -> None:
        return None

    def finish(self) -> None:
        return None


class PlainProgress:
    """One line every `interval` seconds (and at the end): for CI logs and pipes."""

    def __init__(self, tokens: TokenSource, stream: TextIO | None = None, interval: float = 5.0) -> None:
        self.tokens = tokens
        self.stream = stream or sys.stderr
        self.interval = interval
        self.total = self.done = self.failed = self.start_done = 0
        self.started = self.last = 0.0
        self.label = "tracefabric"

    def _emit(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.interval:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-9)
        rate = (self.done - self.start_done) / elapsed
        remaining = self.total - self.done
        eta = f"{remaining / rate:.0f}s" if rate > 0 and remaining > 0 else "-"
        tokens, cost = self.tokens()
        cost_text = f" ${cost:.3f}" if cost else ""
        print(
            f"[{self.label}] {self.done}/{self.total} samples, {self.failed} failed, "
            f"{_fmt_tokens(tokens)} tokens{cost_text}, {rate:.2f}/s, eta {eta}",
            file=self.stream,
            flush=True,
        )

    def start(self, total: int, done: int, label: str) -> None:
        self.total, self.done, self.start_done, self.label = total, done, done, label
        self.started = self.last = time.monotonic()
        if done:
            print(f"[{label}] resuming: {done}/{total} samples already written", file=self.stream, flush=True)

    def record(self) -> None:
        self.done += 1
        self._emit()

    def failure(self, reason: str, final: bool) -> None:
        if final:
            self.failed += 1
        self._emit()

    def note(self, message: str) -> None:
        print(f"[{self.label}] {message}", file=self.stream, flush=True)

    def finish(self) -> None:
        self._emit(force=True)


class RichProgress:
    """A live bar: done/failed, tokens, rate and ETA."""

    def __init__(self, tokens: TokenSource) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichBar

        self.tokens = tokens
        self.console = Console(stderr=True)
        self.bar = RichBar(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            TextColumn("{task.fields[tokens]} tok"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=self.console,
            refresh_per_second=4,
        )
        self.task: Any = None
        self.failed = 0
        self.started = 0.0
        self.start_done = 0

    def _fields(self, done: int) -> dict[str, Any]:
        tokens, cost = self.tokens()
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = (done - self.start_done) / elapsed
        text = _fmt_tokens(tokens) + (f" ${cost:.3f}" if cost else "")
        return {"failed": self.failed, "tokens": text, "rate": f"{rate:.2f}/s"}

    def start(self, total: int, done: int, label: str) -> None:
        self.started = time.monotonic()
        self.start_done = done
        self.bar.start()
        self.task = self.bar.add_task(label, total=total, completed=done, **self._fields(done))
        if done:
            self.console.print(f"resuming: {done}/{total} samples already written")

    def _done(self) -> int:
        return int(self.bar.tasks[0].completed) if self.bar.tasks else 0

    def record(self) -> None:
        self.bar.update(self.task, advance=1, **self._fields(self._done() + 1))

    def failure(self, reason: str, final: bool) -> None:
        if final:
            self.failed += 1
        self.bar.update(self.task, **self._fields(self._done()))

    def note(self, message: str) -> None:
        self.console.print(message)

    def finish(self) -> None:
        if self.task is not None:
            self.bar.update(self.task, **self._fields(self._done()))
        self.bar.stop()


def make_progress(mode: str, tokens: TokenSource) -> Progress:
    """mode: rich, plain, none or auto (rich on a terminal, plain otherwise)."""
    if mode == "auto":
        mode = "rich" if sys.stderr.isatty() else "plain"
    if mode == "rich":
        return RichProgress(tokens)
    if mode == "plain":
        return PlainProgress(tokens)
    return NoProgress()
