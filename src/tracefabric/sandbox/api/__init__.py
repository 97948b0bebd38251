"""The tool server's wire format (framework-independent router).

Imports are lazy: `wire` is light (the HTTP client uses it), `router` pulls in the host.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "MAX_BODY_BYTES": "router",
    "Router": "router",
    "SessionObserver": "router",
    "encode_response": "router",
    "error_body": "router",
    "encode_json": "wire",
    "encode_query": "wire",
    "path_segment": "wire",
    "split_path": "wire",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tracefabric.sandbox.api' has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
