"""Byte quotas of the SQLite key-value store: exact accounting (kept by triggers), refusals that
leave stored data as it was, databases made before the accounting existed, concurrent writers."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tracefabric.sandbox.kv import KVQuota, KVQuotaError, SQLiteKV


def _scanned(directory: Path, scope: str | None = None) -> int:
    """Stored bytes counted the slow way, for comparison."""
    total = 0
    for db in directory.glob("*.db"):
        with sqlite3.connect(db) as conn:
            where, params = ("WHERE scope=?", (scope,)) if scope is not None else ("", ())
            row = conn.execute(
                f"SELECT COALESCE(SUM(length(CAST(key AS BLOB)) + length(value)), 0) FROM kv {where}", params
            ).fetchone()
            total += row[0]
    return total


def test_accounting_follows_every_kind_of_write(tmp_path: Path) -> None:
    kv = SQLiteKV(tmp_path)
    kv.set("default", "s:a", "ключ", b"x" * 100)  # a multi-byte key counts its UTF-8 bytes
    kv.set("default", "s:a", "ключ", b"x" * 40)
    kv.set("default", "s:b", "k", b"y" * 10)
    kv.set("other", "s:a", "k2", b"z" * 5)
    kv.increment("default", "s:a", "n", 1234)
    kv.delete("default", "s:b", "k")
    kv.set("default", "n:shared", "k", b"w" * 7)
    for scope in ("s:a", "s:b", "n:shared"):
        assert kv.stored_bytes(scope) == _scanned(tmp_path, scope), scope
    assert kv.stored_bytes() == _scanned(tmp_path)
    kv.delete_scope("default", "s:a")
    assert kv.stored_bytes("s:a") == _scanned(tmp_path, "s:a") == len("k2") + 5
    assert kv.stored_bytes() == _scanned(tmp_path)
    kv.close()


def test_a_write_over_the_session_limit_is_refused_whole(tmp_path: Path) -> None:
    kv = SQLiteKV(tmp_path, quota=KVQuota(session_bytes=1000))
    kv.set("default", "s:a", "one", b"1" * 600)
    kv.set("other", "s:a", "two", b"2" * 300)  # every store of the session counts
    with pytest.raises(KVQuotaError, match="limit of 1,000 bytes"):
        kv.set("default", "s:a", "three", b"3" * 200)
    with pytest.raises(KVQuotaError):
        kv.set("default", "s:a", "one", b"1" * 800)  # growing a value is growing
    assert kv.get("default", "s:a", "one") == b"1" * 600 and kv.get("default", "s:a", "three") is None
    kv.set("default", "s:a", "one", b"1" * 10)  # shrinking always passes
    kv.set("default", "s:a", "three", b"3" * 200)
    kv.set("default", "n:shared", "big", b"n" * 5000)  # shared namespaces have no per-session limit
    kv.set("default", "s:a", "pad", b"p" * 470)  # 994 bytes stored now
    with pytest.raises(KVQuotaError):
        kv.increment("default", "s:a", "counter", 1)  # increments that add keys count too
    assert kv.get("default", "s:a", "counter") is None
    kv.close()


def test_the_total_limit_counts_every_scope(tmp_path: Path) -> None:
    kv = SQLiteKV(tmp_path, quota=KVQuota(total_bytes=2000))
    kv.set("default", "s:a", "k", b"a" * 900)
    kv.set("default", "n:ns", "k", b"n" * 900)
    with pytest.raises(KVQuotaError, match="of the server"):
        kv.set("other", "s:b", "k", b"b" * 300)
    assert kv.stored_bytes() == 1802
    kv.close()


def test_a_database_made_before_the_accounting_is_counted_on_open(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "default.db") as conn:
        conn.execute(
            "CREATE TABLE kv (scope TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, "
            "PRIMARY KEY (scope, key)) WITHOUT ROWID"
        )
        conn.executemany("INSERT INTO kv VALUES (?,?,?)", [("s:old", f"k{i}", b"v" * 100) for i in range(10)])
    kv = SQLiteKV(tmp_path, quota=KVQuota(session_bytes=1100))
    assert kv.stored_bytes("s:old") == 10 * (2 + 100)
    with pytest.raises(KVQuotaError):
        kv.set("default", "s:old", "k10", b"v" * 100)
    kv.close()


def test_concurrent_writers_never_pass_the_limit(tmp_path: Path) -> None:
    kv = SQLiteKV(tmp_path, quota=KVQuota(session_bytes=10_000))
    refused: list[int] = []

    def writer(n: int) -> None:
        for i in range(20):
            try:
                kv.set("default", "s:shared-session", f"w{n}-{i}", b"x" * 200)
            except KVQuotaError:
                refused.append(n)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert refused  # 8 × 20 × ~205 bytes is far over the limit
    assert kv.stored_bytes("s:shared-session") <= 10_000
    assert kv.stored_bytes("s:shared-session") == _scanned(tmp_path, "s:shared-session")
    kv.close()
