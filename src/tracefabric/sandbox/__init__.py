"""The WebAssembly tool sandbox: manifest, host, key-value stores, and the client.

``Sandbox`` is the one interface callers use; it runs components in-process or talks to a
tool server over HTTP, and behaves the same either way.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "Sandbox": "tracefabric.sandbox.client",
    "ToolResult": "tracefabric.sandbox.client",
    "SandboxHost": "tracefabric.sandbox.host",
    "Manifest": "tracefabric.sandbox.manifest",
    "load_manifest": "tracefabric.sandbox.manifest",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tracefabric.sandbox' has no attribute {name!r}")
    return getattr(import_module(module), name)
