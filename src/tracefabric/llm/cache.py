"""A response cache in SQLite: rerunning or resuming a run never pays twice for the same call.

The key hashes everything that shapes an answer: provider, model, endpoint, messages, schema
and generation parameters (seed included). Only answers that passed validation are stored,
under the key of the original request, so a cached call needs no repair round.

Identical requests get identical answers from the cache even at temperature > 0: callers that
want several different answers to the same prompt pass a distinct `variant` per call.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracefabric import paths, progress

from .types import CompletionRequest

CACHE_FILE = "llm-cache.sqlite"
# Bump when the key recipe or stored format changes.
KEY_VERSION = 1


def default_cache_path() -> Path:
    return paths.cache_dir() / CACHE_FILE


def cache_key(
    provider: str,
    model: str,
    base_url: str | None,
    request: CompletionRequest,
    variant: str | int | None = None,
) -> str:
    material = {
        "v": KEY_VERSION,
        "provider": provider,
        "model": model,
        "base_url": base_url,
        "messages": request.messages,
        "schema": request.json_schema,
        "schema_name": request.schema_name,
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        "seed": request.seed,
        "variant": variant,
    }
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class CachedResponse:
    text: str
    prompt_tokens: int
    completion_tokens: int


class ResponseCache:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).expanduser()
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect()
        except sqlite3.DatabaseError:
            # A damaged cache is only a cache: keep it aside for inspection and start afresh.
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            self.path.replace(aside)
            progress.notice(
                f"the LLM cache {self.path} was damaged; moved it to {aside.name} and started anew"
            )
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, text TEXT NOT NULL, "
            "prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, created REAL NOT NULL)"
        )
        return db

    def get(self, key: str) -> CachedResponse | None:
        with self._lock:
            row = self._db.execute(
                "SELECT text, prompt_tokens, completion_tokens FROM responses WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                self.misses += 1
                return None
            self.hits += 1
            return CachedResponse(*row)

    def put(self, key: str, text: str, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?)",
                (key, text, prompt_tokens, completion_tokens, time.time()),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def stats(self) -> dict[str, Any]:
        return {"path": str(self.path), "hits": self.hits, "misses": self.misses}

    def close(self) -> None:
        with self._lock:
            self._db.close()


_open_caches: dict[Path, ResponseCache] = {}
_open_lock = threading.Lock()


def open_cache(path: Path | str | None = None) -> ResponseCache:
    """The process-wide cache object of a file (default: the user cache), opened once."""
    resolved = Path(path).expanduser().resolve() if path is not None else default_cache_path().resolve()
    with _open_lock:
        cache = _open_caches.get(resolved)
        if cache is None:
            cache = _open_caches[resolved] = ResponseCache(resolved)
        return cache
