"""An SQLite index over JSONL files, built once and kept up to date as the files grow.

Each file's state is kept with the index: size, mtime, a hash of its head, how many bytes
and lines are indexed and a hash of the bytes just before that point. Opening again:

- same size, mtime and head: the index is used as it is;
- the file grew and its head and the indexed tail are unchanged (a run still writing, a
  resumed run): only the appended lines are indexed;
- anything else (rewritten, truncated, another file): the index is rebuilt, into a
  temporary file renamed over the old one, so a reader never sees half an index.

A last line without its newline is a record still being written: it is left for later,
unless it already parses (a file whose writer omitted the final newline).

Subclasses say what a line becomes (`preparer`, run in worker processes for big reads, see
chunks.py), take the prepared lines in file order (`add`) and write them in batches (`flush`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import chunks as chunking
from .chunks import Preparer

HEAD_BYTES = 64 * 1024
TAIL_BYTES = 4 * 1024
BUSY_TIMEOUT_MS = 10_000


@dataclass
class FileState:
    split: str
    path: str
    size: int
    mtime_ns: int
    head_len: int
    head: str
    indexed_bytes: int
    tail: str
    lines: int
    partial: bool  # the last indexed line had no newline (yet)


def _digest(path: Path, start: int, length: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(start)
        return hashlib.sha256(handle.read(length)).hexdigest()


def _fingerprint(path: Path, split: str, indexed: int, lines: int, partial: bool) -> FileState:
    stat = path.stat()
    head_len = min(indexed, HEAD_BYTES)
    tail_len = min(indexed, TAIL_BYTES)
    return FileState(
        split=split,
        path=str(path),
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        head_len=head_len,
        head=_digest(path, 0, head_len),
        indexed_bytes=indexed,
        tail=_digest(path, indexed - tail_len, tail_len),
        lines=lines,
        partial=partial,
    )


def _change(path: Path, state: FileState) -> str:
    """'same', 'grown' or 'changed'."""
    try:
        stat = path.stat()
    except OSError:
        return "changed"
    if stat.st_size == state.size and stat.st_mtime_ns == state.mtime_ns:
        return "same"
    if stat.st_size < state.indexed_bytes or _digest(path, 0, state.head_len) != state.head:
        return "changed"
    tail_len = min(state.indexed_bytes, TAIL_BYTES)
    if _digest(path, state.indexed_bytes - tail_len, tail_len) != state.tail:
        return "changed"
    return "grown"


class JsonlIndex:
    """One index file over `files` ({split: path}, read in that order)."""

    kind = "jsonl"
    schema_version = 1  # subclasses bump theirs when what they store changes

    def __init__(self, files: dict[str, Path], location: Path) -> None:
        self.files = files
        self.location = location
        self.generation = 0  # bumped on each rebuild: readers reopen
        self.states: dict[str, FileState] = {}
        self._local = threading.local()
        self._write_lock = threading.Lock()

    # -- what subclasses provide ------------------------------------------------------
    def create_schema(self, conn: sqlite3.Connection) -> None:
        raise NotImplementedError

    def create_indexes(self, conn: sqlite3.Connection) -> None:
        """Secondary indexes: created after a bulk build (faster than maintaining them)."""

    def start(self, conn: sqlite3.Connection, fresh: bool) -> None:
        """Before lines are added (`fresh`: into an empty index)."""

    def preparer(self) -> Preparer:
        """What turns a line into what `add` takes (run in worker processes for big reads)."""
        raise NotImplementedError

    def add(self, item: Any, first_line: int) -> None:
        """Take one prepared line; its line number is relative to `first_line`."""
        raise NotImplementedError

    def add_stats(self, state: dict[str, Any]) -> None:
        """Take a chunk's statistics."""

    def flush(self, conn: sqlite3.Connection) -> None:
        raise NotImplementedError

    def finish(self, conn: sqlite3.Connection) -> None:
        """After the lines of a build or an update, in the same transaction."""

    # -- opening and keeping up -------------------------------------------------------
    @property
    def identity(self) -> str:
        return json.dumps(
            {
                "kind": self.kind,
                "version": self.schema_version,
                "files": {k: str(v.resolve()) for k, v in self.files.items()},
            }
        )

    def open(self) -> str:
        """'reused', 'grown' or 'built'."""
        with self._write_lock:
            states = self._stored_states()
            if states is not None:
                changes = {split: _change(self.files[split], state) for split, state in states.items()}
                if "changed" not in changes.values():
                    self.states = states
                    if "grown" not in changes.values():
                        return "reused"
                    return self._grow([s for s, c in changes.items() if c == "grown"])
            self._build()
            return "built"

    def refresh(self) -> str:
        """Take in what changed since the last look: 'same', 'grown' or 'built'."""
        with self._write_lock:
            changes = {split: _change(path, self.states[split]) for split, path in self.files.items()}
            if "changed" in changes.values():
                self._build()
                return "built"
            grown = [split for split, change in changes.items() if change == "grown"]
            return self._grow(grown) if grown else "same"

    def _stored_states(self) -> dict[str, FileState] | None:
        if not self.location.exists():
            return None
        try:
            conn = sqlite3.connect(f"file:{self.location}?mode=ro", uri=True)
            try:
                meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
                rows = conn.execute("SELECT state FROM files").fetchall()
            finally:
                conn.close()
        except sqlite3.Error:
            return None  # not an index (or an older one): rebuilt
        if meta.get("identity") != self.identity:
            return None
        states = {}
        for (text,) in rows:
            state = FileState(**json.loads(text))
            states[state.split] = state
        return states if set(states) == set(self.files) else None

    def _build(self) -> None:
        tmp = self.location.with_name(f"{self.location.name}.tmp{os.getpid()}")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            conn.execute("CREATE TABLE files (split TEXT PRIMARY KEY, state TEXT)")
            self.create_schema(conn)
            self.start(conn, fresh=True)
            states = {
                split: self._read(conn, split, path, 0, 0, partial=False)
                for split, path in self.files.items()
            }
            self.finish(conn)
            self.create_indexes(conn)
            self._save_states(conn, states)
            conn.execute("INSERT INTO meta VALUES ('identity', ?)", (self.identity,))
            conn.commit()
            conn.execute("PRAGMA journal_mode=DELETE")
        except BaseException:
            conn.close()
            tmp.unlink(missing_ok=True)
            raise
        conn.close()
        os.replace(tmp, self.location)
        self.states = states
        self.generation += 1

    def _grow(self, splits: list[str]) -> str:
        conn = self._writer()
        states = dict(self.states)
        try:
            with conn:
                self.start(conn, fresh=False)
                for split in splits:
                    state = states[split]
                    states[split] = self._read(
                        conn,
                        split,
                        self.files[split],
                        state.indexed_bytes,
                        state.lines,
                        partial=state.partial,
                    )
                self.finish(conn)
                self._save_states(conn, states)
        except _Rewritten:
            conn.close()
            self._build()
            return "built"
        finally:
            conn.close()
        self.states = states
        return "grown"  # the same index file: readers see the new rows without reopening

    def _save_states(self, conn: sqlite3.Connection, states: dict[str, FileState]) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?)",
            [(split, json.dumps(asdict(state))) for split, state in states.items()],
        )

    def _read(
        self, conn: sqlite3.Connection, split: str, path: Path, start: int, lines: int, *, partial: bool
    ) -> FileState:
        end = path.stat().st_size
        if partial and start < end:
            with open(path, "rb") as handle:
                handle.seek(start)
                if handle.read(1) != b"\n":
                    raise _Rewritten
            start, lines, partial = start + 1, lines, False  # the newline ending the last line read
        offset = start
        pieces = chunking.chunks(path, split, start, end)
        parallel = end - start >= chunking.PARALLEL_BYTES
        for result in chunking.read_chunks(self.preparer(), pieces, parallel=parallel):
            for item in result.items:
                self.add(item, lines)
            if result.stats is not None:
                self.add_stats(result.stats)
            self.flush(conn)
            lines += result.lines
            offset += result.consumed
            partial = result.partial if result.consumed else partial
            if result.stopped:
                break
        return _fingerprint(path, split, offset, lines, partial)

    # -- reading ----------------------------------------------------------------------
    def connection(self) -> sqlite3.Connection:
        """This thread's read-only connection (reopened after a rebuild)."""
        local = self._local
        if getattr(local, "generation", None) != self.generation:
            old = getattr(local, "conn", None)
            if old is not None:
                with contextlib.suppress(sqlite3.Error):
                    old.close()
            local.conn = sqlite3.connect(f"file:{self.location}?mode=ro", uri=True, check_same_thread=False)
            local.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            local.conn.row_factory = sqlite3.Row
            local.generation = self.generation
        return local.conn

    def _writer(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.location)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return conn

    def meta(self, key: str) -> Any:
        row = self.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def raw_line(self, split: str, offset: int, length: int) -> bytes:
        with open(self.files[split], "rb") as handle:
            handle.seek(offset)
            return handle.read(length)


class _Rewritten(Exception):
    """The line indexed without its newline went on: the file must be read again."""
