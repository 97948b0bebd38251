"""The tool server: the sandbox over HTTP, in the wire format of DeepFabric's Spin tools-sdk.

    from tracefabric.server import ServerConfig, ToolServer

    ToolServer(ServerConfig(port=3000, enable=("github",))).run()

See docs/server.md. Imports are lazy so that `tracefabric --help` stays fast.
"""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {
    "ServerConfig": ".config",
    "parse_duration": ".config",
    "ToolServer": ".runner",
    "ToolServerApp": ".app",
    "SessionTracker": ".sessions",
    "WorkerPool": ".pool",
    "default_workers": ".pool",
    "check_bind_policy": ".auth",
    "is_loopback": ".auth",
}

__all__ = sorted(_LAZY)


__getattr__ = lazy_exports(__name__, _LAZY)
