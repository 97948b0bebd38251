"""Mock tools from MCP schemas: the host side (Python API, MCP import, files, checks).

The component itself (the Wasm guest) is `tracefabric.components.mock`. See docs/mock.md.
"""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {
    "MockTools": "tracefabric.mock.api",
    "PreparedNamespace": "tracefabric.mock.api",
    "prepare_mock_namespace": "tracefabric.mock.api",
    "ImportedTools": "tracefabric.mock.mcp_client",
    "MCPImportError": "tracefabric.mock.mcp_client",
    "fetch_tools_http": "tracefabric.mock.mcp_client",
    "fetch_tools_stdio": "tracefabric.mock.mcp_client",
    "read_document": "tracefabric.mock.files",
    "write_tools": "tracefabric.mock.files",
}

__all__ = sorted(_LAZY)


__getattr__ = lazy_exports(__name__, _LAZY)
