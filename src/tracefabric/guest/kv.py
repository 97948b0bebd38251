"""Typed access to the host's key-value stores (Spin-shaped).

``open(label)`` returns the store scoped to the current session; ``open_shared(label)``
the store shared by every session of the request's namespace (read-only during tool calls,
writable in management operations). A label the manifest does not grant raises
`CapabilityDenied`.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import CapabilityDenied, IOError_, ResourceExhausted, ToolError


def _raise(error: Any, label: str) -> None:
    name = type(error).__name__
    value = getattr(error, "value", None)
    if name.endswith("AccessDenied"):
        raise CapabilityDenied(value or f"key-value store {label!r} is not granted to this component")
    if name.endswith("NoSuchStore"):
        raise CapabilityDenied(f"no key-value store named {label!r}")
    if name.endswith("StoreTableFull"):
        raise ResourceExhausted("too many key-value stores opened in one call")
    message = value or "key-value store error"
    if "limit" in message or "exceeds" in message:
        raise ResourceExhausted(message)
    raise IOError_(message)


class Store:
    def __init__(self, handle: Any, label: str) -> None:
        self._handle = handle
        self.label = label

    def _call(self, method: str, *args: Any) -> Any:
        from componentize_py_types import Err

        try:
            return getattr(self._handle, method)(*args)
        except Err as exc:
            _raise(exc.value, self.label)

    def get(self, key: str) -> bytes | None:
        return self._call("get", key)

    def get_text(self, key: str) -> str | None:
        value = self.get(key)
        return None if value is None else value.decode("utf-8")

    def get_json(self, key: str, default: Any = None) -> Any:
        value = self.get(key)
        return default if value is None else json.loads(value)

    def set(self, key: str, value: bytes | str) -> None:
        self._call("set", key, value.encode("utf-8") if isinstance(value, str) else bytes(value))

    def set_json(self, key: str, value: Any) -> None:
        self.set(key, json.dumps(value, separators=(",", ":")))

    def delete(self, key: str) -> None:
        self._call("delete", key)

    def exists(self, key: str) -> bool:
        return self._call("exists", key)

    def keys(self, prefix: str = "") -> list[str]:
        if prefix:
            return self._call("get_keys_with_prefix", prefix)
        return self._call("get_keys")

    def increment(self, key: str, delta: int = 1) -> int:
        return self._call("increment", key, delta)


_open_cache: dict[tuple[str, bool], Store] = {}


def _open(label: str, shared: bool) -> Store:
    cached = _open_cache.get((label, shared))
    if cached is not None:
        return cached
    from componentize_py_types import Err
    from wit_world.imports import key_value

    try:
        handle = key_value.Store.open_shared(label) if shared else key_value.Store.open(label)
    except Err as exc:
        _raise(exc.value, label)
        raise ToolError("IOError", "unreachable") from None
    store = Store(handle, label)
    # Handles are bound to this instance's session, so caching them per instance is safe.
    _open_cache[(label, shared)] = store
    return store


def open(label: str = "default") -> Store:
    return _open(label, shared=False)


def open_shared(label: str) -> Store:
    return _open(label, shared=True)
