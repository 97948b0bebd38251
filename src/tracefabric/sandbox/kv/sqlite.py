"""SQLite key-value backend: one database file per store label, as Spin's default.

Safe under threads (one connection per thread and label) and processes (WAL, busy timeout).
Every operation is a single statement or a short IMMEDIATE transaction, so concurrent
writers never lose each other's keys.
"""

from __future__ import annotations

import fcntl
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .backend import check_limits

SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID
"""


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _prefix_upper_bound(prefix: str) -> str | None:
    """Smallest string greater than every string starting with `prefix` (None: unbounded)."""
    chars = list(prefix)
    while chars:
        last = ord(chars[-1])
        if last < 0x10FFFF:
            chars[-1] = chr(last + 1)
            return "".join(chars)
        chars.pop()
    return None


class SQLiteKV:
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _conn(self, label: str) -> sqlite3.Connection:
        conns: dict[str, sqlite3.Connection] | None = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        conn = conns.get(label)
        if conn is None:
            # Switching a new database to WAL and creating its table from two connections at
            # once can fail with "database is locked" (the busy timeout doesn't cover it):
            # set up one connection at a time, across threads and processes.
            with self._lock, _file_lock(self.directory / f".{label}.init.lock"):
                conn = sqlite3.connect(
                    self.directory / f"{label}.db",
                    timeout=30.0,
                    isolation_level=None,
                    check_same_thread=False,
                )
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute(SCHEMA)
                self._all.append(conn)
            conns[label] = conn
        return conn

    def get(self, label: str, scope: str, key: str) -> bytes | None:
        row = (
            self._conn(label).execute("SELECT value FROM kv WHERE scope=? AND key=?", (scope, key)).fetchone()
        )
        return None if row is None else bytes(row[0])

    def set(self, label: str, scope: str, key: str, value: bytes) -> None:
        check_limits(key, value)
        self._conn(label).execute(
            "INSERT INTO kv(scope, key, value) VALUES (?,?,?) "
            "ON CONFLICT(scope, key) DO UPDATE SET value=excluded.value",
            (scope, key, value),
        )

    def delete(self, label: str, scope: str, key: str) -> bool:
        cur = self._conn(label).execute("DELETE FROM kv WHERE scope=? AND key=?", (scope, key))
        return cur.rowcount > 0

    def exists(self, label: str, scope: str, key: str) -> bool:
        row = self._conn(label).execute("SELECT 1 FROM kv WHERE scope=? AND key=?", (scope, key)).fetchone()
        return row is not None

    def keys(self, label: str, scope: str, prefix: str = "") -> list[str]:
        conn = self._conn(label)
        upper = _prefix_upper_bound(prefix)
        if upper is None:
            rows = conn.execute("SELECT key FROM kv WHERE scope=? AND key>=? ORDER BY key", (scope, prefix))
        else:
            rows = conn.execute(
                "SELECT key FROM kv WHERE scope=? AND key>=? AND key<? ORDER BY key", (scope, prefix, upper)
            )
        return [r[0] for r in rows]

    def items(self, label: str, scope: str) -> list[tuple[str, bytes]]:
        rows = self._conn(label).execute("SELECT key, value FROM kv WHERE scope=? ORDER BY key", (scope,))
        return [(k, bytes(v)) for k, v in rows]

    def increment(self, label: str, scope: str, key: str, delta: int) -> int:
        check_limits(key)
        conn = self._conn(label)
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute("SELECT value FROM kv WHERE scope=? AND key=?", (scope, key)).fetchone()
            current = 0
            if row is not None:
                try:
                    current = int(bytes(row[0]).decode("ascii"))
                except ValueError:
                    raise ValueError(f"value at {key!r} is not an integer") from None
            new = current + delta
            conn.execute(
                "INSERT INTO kv(scope, key, value) VALUES (?,?,?) "
                "ON CONFLICT(scope, key) DO UPDATE SET value=excluded.value",
                (scope, key, str(new).encode("ascii")),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return new

    def delete_scope(self, label: str, scope: str) -> int:
        if not (self.directory / f"{label}.db").exists():
            return 0
        cur = self._conn(label).execute("DELETE FROM kv WHERE scope=?", (scope,))
        return cur.rowcount

    def scopes(self, label: str, prefix: str = "") -> list[str]:
        if not (self.directory / f"{label}.db").exists():
            return []
        rows = self._conn(label).execute("SELECT DISTINCT scope FROM kv ORDER BY scope")
        return [r[0] for r in rows if r[0].startswith(prefix)]

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
        self._local = threading.local()
