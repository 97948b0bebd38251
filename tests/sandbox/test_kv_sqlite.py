"""The SQLite key-value backend: Spin's limits, prefixes, atomic increments, threads and processes."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from tracefabric.sandbox.kv import MAX_VALUE_BYTES, KVLimitError, SQLiteKV


def test_round_trip_and_scopes(tmp_path: Path) -> None:
    kv = SQLiteKV(tmp_path)
    kv.set("default", "s:a", "k", b"1")
    kv.set("default", "s:b", "k", b"2")
    assert kv.get("default", "s:a", "k") == b"1"
    assert kv.get("default", "s:b", "k") == b"2"
    assert kv.keys("default", "s:a") == ["k"]
    assert kv.delete("default", "s:a", "k") is True
    assert kv.delete("default", "s:a", "k") is False
    assert kv.exists("default", "s:b", "k")
    assert kv.delete_scope("default", "s:b") == 1
    assert kv.get("default", "s:b", "k") is None
    assert kv.delete_scope("never-opened", "s:b") == 0


def test_prefix_listing_is_exact(tmp_path: Path) -> None:
    kv = SQLiteKV(tmp_path)
    for key in ["f:a", "f:a/b", "f:ab", "f:b", "d:a", "f:\U0010ffff", "g"]:
        kv.set("default", "s", key, b"")
    assert kv.keys("default", "s", "f:a") == ["f:a", "f:a/b", "f:ab"]
    assert kv.keys("default", "s", "f:a/") == ["f:a/b"]
    assert kv.keys("default", "s", "f:") == ["f:a", "f:a/b", "f:ab", "f:b", "f:\U0010ffff"]
    assert len(kv.keys("default", "s")) == 7


def test_spin_limits(tmp_path: Path) -> None:
    kv = SQLiteKV(tmp_path)
    kv.set("default", "s", "k" * 256, b"x")
    with pytest.raises(KVLimitError):
        kv.set("default", "s", "k" * 257, b"x")
    kv.set("default", "s", "big", b"x" * MAX_VALUE_BYTES)
    with pytest.raises(KVLimitError):
        kv.set("default", "s", "big", b"x" * (MAX_VALUE_BYTES + 1))


def test_increment_is_atomic_across_threads(tmp_path: Path) -> None:
    kv = SQLiteKV(tmp_path)

    def work() -> None:
        for _ in range(100):
            kv.increment("default", "s", "n", 1)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert kv.get("default", "s", "n") == b"800"
    kv.set("default", "s", "text", b"abc")
    with pytest.raises(ValueError, match="not an integer"):
        kv.increment("default", "s", "text", 1)


def _writer(directory: str, worker: int) -> None:
    kv = SQLiteKV(directory)
    for i in range(200):
        kv.set("default", "s:shared", f"w{worker}-{i}", b"v")
        kv.increment("default", "s:shared", "counter", 1)


def test_safe_across_processes(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_writer, args=(str(tmp_path), n)) for n in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    kv = SQLiteKV(tmp_path)
    assert len(kv.keys("default", "s:shared", "w")) == 800
    assert kv.get("default", "s:shared", "counter") == b"800"
