"""The key-value backend interface the host's `key-value` import is built on.

A backend stores bytes under (label, scope, key). The host decides the scope (one per
session, or one per namespace for shared stores); components never see it, so they cannot
name another session's data. SQLite is the default; a Redis backend only has to implement
this protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

MAX_KEY_BYTES = 256  # Spin's limits
MAX_VALUE_BYTES = 1024 * 1024


class KVLimitError(ValueError):
    """A key or value over Spin's limits."""


class KVQuotaError(KVLimitError):
    """A write that would take a session, or the whole store, over its byte limit."""


@dataclass(frozen=True)
class KVQuota:
    """Limits on stored bytes (keys and values), checked before every write that grows the
    data: a write over a limit is refused whole, and nothing already stored is touched.
    `session_bytes`: one session's data, all its stores together; `total_bytes`: everything
    in the backend (sessions and shared namespaces). None: no limit."""

    session_bytes: int | None = None
    total_bytes: int | None = None

    @property
    def active(self) -> bool:
        return self.session_bytes is not None or self.total_bytes is not None


class KVBackend(Protocol):
    def get(self, label: str, scope: str, key: str) -> bytes | None: ...

    def set(self, label: str, scope: str, key: str, value: bytes) -> None: ...

    def delete(self, label: str, scope: str, key: str) -> bool: ...

    def exists(self, label: str, scope: str, key: str) -> bool: ...

    def keys(self, label: str, scope: str, prefix: str = "") -> list[str]: ...

    def increment(self, label: str, scope: str, key: str, delta: int) -> int: ...

    def items(self, label: str, scope: str) -> list[tuple[str, bytes]]: ...

    def delete_scope(self, label: str, scope: str) -> int: ...

    def scopes(self, label: str, prefix: str = "") -> list[str]: ...

    def close(self) -> None: ...


def check_limits(key: str, value: bytes | None = None) -> None:
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise KVLimitError(f"key exceeds {MAX_KEY_BYTES} bytes")
    if value is not None and len(value) > MAX_VALUE_BYTES:
        raise KVLimitError(f"value of {len(value)} bytes exceeds the 1 MiB limit")


SESSION_SCOPE_PREFIX = "s:"


def session_scope(session_id: str) -> str:
    return SESSION_SCOPE_PREFIX + session_id


def is_session_scope(scope: str) -> bool:
    return scope.startswith(SESSION_SCOPE_PREFIX)


def namespace_scope(namespace: str) -> str:
    return "n:" + namespace
