"""Reading a JSONL file in chunks of whole lines, in this process or in worker processes.

Parsing records, extracting what the index keeps and counting statistics is most of the
cost of a build, and each line is independent: large files are cut at newlines into chunks
that worker processes prepare in parallel, while this process writes the results to SQLite
in file order. Small reads (a grown tail, a small file) stay in this process.

A `Preparer` is the picklable part of an index: what one line becomes, and a statistics
collector per chunk (merged by the index). Line numbers in a chunk's items are relative to
the chunk: only the index, taking chunks in order, knows where each starts.
"""

from __future__ import annotations

import io
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tracefabric.dataset.reader import parse_line

CHUNK_BYTES = 4 * 1024 * 1024
PARALLEL_BYTES = 32 * 1024 * 1024  # below this, starting workers costs more than they save


class Preparer(Protocol):
    def collector(self) -> Any:
        """A fresh per-chunk statistics collector (or None)."""

    def prepare(
        self, split: str, line: int, offset: int, raw: bytes, value: Any, problem: str | None, collector: Any
    ) -> Any:
        """What the index keeps of one non-blank line (`value`: parsed, or None with `problem`)."""


@dataclass(frozen=True)
class Chunk:
    path: str
    split: str
    start: int
    end: int


@dataclass
class ChunkResult:
    items: list[Any] = field(default_factory=list)
    lines: int = 0  # lines consumed, blank ones included
    consumed: int = 0  # bytes consumed
    partial: bool = False  # the last consumed line has no newline (yet)
    stopped: bool = False  # stopped before a line still being written
    stats: dict[str, Any] | None = None


def chunks(path: Path, split: str, start: int, end: int, size: int | None = None) -> list[Chunk]:
    """[start, end) cut just after newlines into pieces of about `size` bytes."""
    size = size or CHUNK_BYTES
    found = []
    with open(path, "rb") as handle:
        position = start
        while position < end:
            cut = min(position + size, end)
            if cut < end:
                handle.seek(cut)
                cut = min(end, cut + len(handle.readline()))
            found.append(Chunk(str(path), split, position, cut))
            position = cut
    return found


def read_chunk(preparer: Preparer, chunk: Chunk) -> ChunkResult:
    with open(chunk.path, "rb") as handle:
        handle.seek(chunk.start)
        data = handle.read(chunk.end - chunk.start)
    collector = preparer.collector()
    result = ChunkResult()
    offset = chunk.start
    for raw in io.BytesIO(data):  # splits at b"\n" only, as reading the file does
        line_end = raw.endswith(b"\n")
        if raw.strip():
            value, problem = parse_line(raw)
            if not line_end and value is None:
                result.stopped = True  # still being written
                break
            result.items.append(
                preparer.prepare(chunk.split, result.lines + 1, offset, raw, value, problem, collector)
            )
        result.lines += 1
        result.consumed += len(raw)
        result.partial = not line_end
        offset += len(raw)
    result.stats = collector.state() if collector is not None else None
    return result


def _workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def read_chunks(preparer: Preparer, pieces: list[Chunk], *, parallel: bool) -> Iterator[ChunkResult]:
    """Each chunk's result, in order; prepared by worker processes when `parallel`."""
    workers = _workers()
    if not parallel or workers < 2 or len(pieces) < 2:
        for piece in pieces:
            yield read_chunk(preparer, piece)
        return
    # spawn: the index may be rebuilt from a thread of a running server, where fork is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[ChunkResult]] = deque()
        queue = iter(pieces)
        window = 2 * workers  # results waiting for this process stay few (memory stays flat)
        for piece in queue:
            pending.append(pool.submit(read_chunk, preparer, piece))
            if len(pending) >= window:
                break
        while pending:
            result = pending.popleft().result()
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(read_chunk, preparer, following))
            yield result
