"""Host-side extensions of built-in components: work a guest can't do for itself.

A guest has no native extensions and reaches the network only through the allowlisted
HTTP import, so a few things are done by the host on its behalf: the mock component's
``/mock/pull`` (an MCP handshake with the official SDK), YAML bodies, and full JSON Schema
checks of the responses it stores. An extension is keyed by the component's manifest
``source`` (so it follows the component whatever it is named) and imported on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .host import SandboxHost

EXTENSIONS: dict[str, str] = {"builtin:mock": "tracefabric.mock.extension:MockExtension"}


class HostExtension(Protocol):
    def manage(
        self,
        host: SandboxHost,
        component: str,
        operation: str,
        body: Any,
        *,
        method: str,
        query: Mapping[str, str],
        namespace: str,
    ) -> tuple[int, Any] | None:
        """Serve a management operation (HTTP status, JSON body), or None to let the guest."""
        ...

    def after_execute(
        self, host: SandboxHost, component: str, tool: dict[str, Any], payload: dict[str, Any]
    ) -> dict[str, Any]:
        """Check or amend the guest's answer to a tool call (`tool` is its describe entry)."""
        ...


def load_extension(source: str) -> HostExtension | None:
    target = EXTENSIONS.get(source)
    if target is None:
        return None
    module, attribute = target.split(":")
    return getattr(import_module(module), attribute)()
