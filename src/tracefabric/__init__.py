"""tracefabric: training data for tool-using agents, every tool call executed for real in a Wasm sandbox.

Heavy modules load lazily so that ``import tracefabric`` (and the CLI's ``--help``) stay fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "Sandbox": "tracefabric.sandbox.client",
    "ToolResult": "tracefabric.sandbox.client",
    "generate": "tracefabric.run",
    "generate_async": "tracefabric.run",
    "RunSummary": "tracefabric.run",
    "load_config": "tracefabric.config",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tracefabric' has no attribute {name!r}")
    return getattr(import_module(module), name)
