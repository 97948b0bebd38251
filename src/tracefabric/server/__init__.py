"""The tool server: the sandbox over HTTP, in the wire format of DeepFabric's Spin tools-sdk.

    from tracefabric.server import ServerConfig, ToolServer

    ToolServer(ServerConfig(port=3000, enable=("github",))).run()

See docs/server.md. Imports are lazy so that `tracefabric --help` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "ServerConfig": "config",
    "parse_duration": "config",
    "ToolServer": "runner",
    "ToolServerApp": "app",
    "SessionTracker": "sessions",
    "WorkerPool": "pool",
    "default_workers": "pool",
    "check_bind_policy": "auth",
    "is_loopback": "auth",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tracefabric.server' has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
