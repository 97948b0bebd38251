"""The WebAssembly tool sandbox: manifest, host, key-value stores, and the client.

``Sandbox`` is the one interface callers use; it runs components in-process or talks to a
tool server over HTTP, and behaves the same either way.
"""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {
    "Sandbox": "tracefabric.sandbox.client",
    "ToolResult": "tracefabric.sandbox.client",
    "SandboxHost": "tracefabric.sandbox.host",
    "Manifest": "tracefabric.sandbox.manifest",
    "load_manifest": "tracefabric.sandbox.manifest",
}


__getattr__ = lazy_exports(__name__, _LAZY)
