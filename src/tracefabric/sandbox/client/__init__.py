"""The `Sandbox` client and its transports (in-process, HTTP)."""

from .client import Sandbox, ToolResult
from .transport import InProcessTransport, Transport

__all__ = ["InProcessTransport", "Sandbox", "ToolResult", "Transport"]
