"""tracefabric: training data for tool-using agents, every tool call executed for real in a Wasm sandbox.

Heavy modules load lazily so that ``import tracefabric`` (and the CLI's ``--help``) stay fast.
"""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

__version__ = "0.1.0"

_LAZY = {
    "Sandbox": "tracefabric.sandbox.client",
    "ToolResult": "tracefabric.sandbox.client",
    "generate": "tracefabric.run",
    "generate_async": "tracefabric.run",
    "RunSummary": "tracefabric.run",
    "load_config": "tracefabric.config",
}


__getattr__ = lazy_exports(__name__, _LAZY)
