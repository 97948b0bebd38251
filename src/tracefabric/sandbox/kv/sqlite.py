"""SQLite key-value backend: one database file per store label, as Spin's default.

Safe under threads (one connection per thread and label) and processes (WAL, busy timeout).
Every operation is a single statement or a short IMMEDIATE transaction, so concurrent
writers never lose each other's keys.

Each database keeps a running total of stored bytes (keys and values) per scope, and one for
the whole database under the scope '', maintained by triggers, so a quota (`KVQuota`) is
checked with two primary-key reads instead of a scan. A write over a limit is refused in
the same transaction that would have made it: nothing stored before is touched.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .backend import KVQuota, KVQuotaError, check_limits, is_session_scope

SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID
"""

# Stored bytes per scope ('' holds the database's total), kept by triggers. Version 1.
_SIZE_NEW = "(length(CAST(NEW.key AS BLOB)) + length(CAST(NEW.value AS BLOB)))"
_SIZE_OLD = "(length(CAST(OLD.key AS BLOB)) + length(CAST(OLD.value AS BLOB)))"
USAGE_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS usage (scope TEXT PRIMARY KEY, bytes INTEGER NOT NULL) WITHOUT ROWID",
    f"""CREATE TRIGGER IF NOT EXISTS kv_usage_insert AFTER INSERT ON kv BEGIN
        INSERT INTO usage(scope, bytes) VALUES (NEW.scope, {_SIZE_NEW})
            ON CONFLICT(scope) DO UPDATE SET bytes = bytes + excluded.bytes;
        INSERT INTO usage(scope, bytes) VALUES ('', {_SIZE_NEW})
            ON CONFLICT(scope) DO UPDATE SET bytes = bytes + excluded.bytes;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS kv_usage_update AFTER UPDATE ON kv BEGIN
        UPDATE usage SET bytes = bytes - {_SIZE_OLD} WHERE scope IN (OLD.scope, '');
        INSERT INTO usage(scope, bytes) VALUES (NEW.scope, {_SIZE_NEW})
            ON CONFLICT(scope) DO UPDATE SET bytes = bytes + excluded.bytes;
        INSERT INTO usage(scope, bytes) VALUES ('', {_SIZE_NEW})
            ON CONFLICT(scope) DO UPDATE SET bytes = bytes + excluded.bytes;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS kv_usage_delete AFTER DELETE ON kv BEGIN
        UPDATE usage SET bytes = bytes - {_SIZE_OLD} WHERE scope IN (OLD.scope, '');
    END""",
]
USAGE_BACKFILL = [
    "DELETE FROM usage",
    "INSERT INTO usage(scope, bytes) SELECT scope, SUM(length(CAST(key AS BLOB)) + length(CAST(value AS BLOB))) "
    "FROM kv GROUP BY scope",
    "INSERT INTO usage(scope, bytes) SELECT '', COALESCE(SUM(bytes), 0) FROM usage",
]
SCHEMA_VERSION = 1
TOTAL = ""
LABELS_TTL_S = 1.0


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


def _migrate(conn: sqlite3.Connection) -> None:
    """Add the usage table (and count what a database made before it already holds)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in (*USAGE_SCHEMA, *USAGE_BACKFILL):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _size(key: str, value: bytes) -> int:
    return len(key.encode("utf-8")) + len(value)


class SQLiteKV:
    def __init__(self, directory: str | Path, *, quota: KVQuota | None = None) -> None:
        self.directory = Path(directory)
        self.quota = quota if quota is not None and quota.active else None
        self._label_cache: tuple[float, list[str]] | None = None
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
                _migrate(conn)
                self._all.append(conn)
                self._label_cache = None  # perhaps a new store
            conns[label] = conn
        return conn

    def get(self, label: str, scope: str, key: str) -> bytes | None:
        row = (
            self._conn(label).execute("SELECT value FROM kv WHERE scope=? AND key=?", (scope, key)).fetchone()
        )
        return None if row is None else bytes(row[0])

    def set(self, label: str, scope: str, key: str, value: bytes) -> None:
        check_limits(key, value)
        conn = self._conn(label)
        upsert = (
            "INSERT INTO kv(scope, key, value) VALUES (?,?,?) "
            "ON CONFLICT(scope, key) DO UPDATE SET value=excluded.value"
        )
        if self.quota is None:
            conn.execute(upsert, (scope, key, value))
            return
        with _transaction(conn):
            self._check_quota(conn, label, scope, key, _size(key, value))
            conn.execute(upsert, (scope, key, value))

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
        with _transaction(conn):
            row = conn.execute("SELECT value FROM kv WHERE scope=? AND key=?", (scope, key)).fetchone()
            current = 0
            if row is not None:
                try:
                    current = int(bytes(row[0]).decode("ascii"))
                except ValueError:
                    raise ValueError(f"value at {key!r} is not an integer") from None
            new = current + delta
            value = str(new).encode("ascii")
            if self.quota is not None:
                self._check_quota(conn, label, scope, key, _size(key, value))
            conn.execute(
                "INSERT INTO kv(scope, key, value) VALUES (?,?,?) "
                "ON CONFLICT(scope, key) DO UPDATE SET value=excluded.value",
                (scope, key, value),
            )
        return new

    def delete_scope(self, label: str, scope: str) -> int:
        if not (self.directory / f"{label}.db").exists():
            return 0
        conn = self._conn(label)
        with _transaction(conn):
            deleted = conn.execute("DELETE FROM kv WHERE scope=?", (scope,)).rowcount
            conn.execute("DELETE FROM usage WHERE scope=? AND bytes<=0", (scope,))
        return deleted

    # -- quota ------------------------------------------------------------------------
    def stored_bytes(self, scope: str | None = None) -> int:
        """Bytes (keys and values) stored under `scope` in every store; None: everything."""
        return sum(
            self._usage(self._conn(label), TOTAL if scope is None else scope) for label in self._labels()
        )

    def _labels(self) -> list[str]:
        # From the directory, not from this process's connections: other processes write here
        # too. Listed at most once a second (a listing costs more than the quota check itself).
        now = time.monotonic()
        if self._label_cache is None or now - self._label_cache[0] > LABELS_TTL_S:
            names = sorted(name[:-3] for name in os.listdir(self.directory) if name.endswith(".db"))
            self._label_cache = (now, names)
        return self._label_cache[1]

    @staticmethod
    def _usage(conn: sqlite3.Connection, scope: str) -> int:
        row = conn.execute("SELECT bytes FROM usage WHERE scope=?", (scope,)).fetchone()
        return int(row[0]) if row else 0

    def _check_quota(self, conn: sqlite3.Connection, label: str, scope: str, key: str, new_size: int) -> None:
        """Raise KVQuotaError when writing `new_size` bytes at `key` would take the scope or the
        whole store over a limit. Runs inside the write's transaction on `label`'s database;
        other stores are read as they stand (a concurrent write to another store can overshoot
        by at most one value)."""
        quota = self.quota
        assert quota is not None
        row = conn.execute(
            "SELECT length(CAST(key AS BLOB)) + length(CAST(value AS BLOB)) FROM kv WHERE scope=? AND key=?",
            (scope, key),
        ).fetchone()
        growth = new_size - (int(row[0]) if row else 0)
        if growth <= 0:
            return  # shrinking or same-size writes always pass: a full session can still clean up
        others = [self._conn(other) for other in self._labels() if other != label]
        if quota.session_bytes is not None and is_session_scope(scope):
            used = self._usage(conn, scope) + sum(self._usage(c, scope) for c in others)
            if used + growth > quota.session_bytes:
                raise KVQuotaError(
                    f"storage limit of this session reached: it stores {used:,} bytes, and {growth:,} more "
                    f"would exceed its limit of {quota.session_bytes:,} bytes (delete something first)"
                )
        if quota.total_bytes is not None:
            used = self._usage(conn, TOTAL) + sum(self._usage(c, TOTAL) for c in others)
            if used + growth > quota.total_bytes:
                raise KVQuotaError(
                    f"storage limit of the server reached: it stores {used:,} bytes, and {growth:,} more "
                    f"would exceed its limit of {quota.total_bytes:,} bytes"
                )

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


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
