"""The Python API of the mock component: one namespace's tools, over any `Sandbox`.

    with Sandbox.in_process() as sandbox:                  # or Sandbox.connect(url)
        mock = MockTools(sandbox, namespace="payments")
        mock.load("tools.json")                            # MCP tools/list, JSON or YAML
        mock.add_fixture("charge_card", {"status": "failed"}, match={"amount.value": 0})
        mock.set_faults({"seed": 7, "rate_limited": 0.1})
        mock.call("charge_card", {...}, session_id="s1")

`prepare_mock_namespace` sets a namespace up from a generation config in one call.
The CLI (`tracefabric mock ...`) is a thin layer over this class.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tracefabric.components.mock import definitions
from tracefabric.components.mock import faults as fault_settings
from tracefabric.components.mock.errors import FormatError
from tracefabric.errors import ConfigError, SandboxError

from .files import read_document

Destructive = Literal["allow", "exclude", "deny"]
DENIED_MESSAGE = (
    '{"error": {"code": 403, "type": "permission_denied", '
    '"message": "This action requires approval from an administrator and was not performed."}}'
)


class MockTools:
    """The mock component's operations for one namespace (raise `SandboxError` on failure)."""

    def __init__(self, sandbox: Any, namespace: str = "default", *, component: str = "mock") -> None:
        self.sandbox = sandbox
        self.namespace = namespace
        self.component = component

    def _op(self, operation: str, body: Any = None, *, method: str = "POST") -> Any:
        return self.sandbox.manage(self.component, operation, body, method=method, namespace=self.namespace)

    # -- loading ----------------------------------------------------------------------
    def load(self, source: str | Path | Mapping[str, Any] | list[Any]) -> dict[str, Any]:
        """Load a file path or a document: MCP tools (``{"tools": [...]}`` or a list), mock
        data (``mockResponses``, ``fixtures``, ``faults``), or both."""
        if isinstance(source, (str, Path)):
            document = read_document(source)
            check_document(document, str(source))  # a bad file is a config error naming the file and field
        else:
            document = source
        return self._op("load", document)

    def pull(
        self, url: str, *, headers: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> dict:
        """Fetch the tools of an MCP server (streamable HTTP) through the sandbox host."""
        body: dict[str, Any] = {"url": url}
        if headers:
            body["headers"] = dict(headers)
        if timeout is not None:
            body["timeout"] = timeout
        return self._op("pull", body)

    # -- responses --------------------------------------------------------------------
    def add_fixture(
        self, tool: str, response: Any, *, match: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        return self._op("add-fixture", {"name": tool, "match": dict(match or {}), "response": response})

    def remove_fixture(self, tool: str, *, match: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self._op("remove-fixture", {"name": tool, "match": dict(match or {})})

    def update_response(self, tool: str, response: Any) -> dict[str, Any]:
        """Set the tool's `mockResponse` template (None removes it)."""
        return self._op("update-response", {"name": tool, "mockResponse": response})

    # -- faults -----------------------------------------------------------------------
    def set_faults(self, config: Mapping[str, Any] | None) -> dict[str, Any] | None:
        return self._op("faults", dict(config) if config is not None else None)["faults"]

    def faults(self) -> dict[str, Any] | None:
        return self._op("faults", method="GET")["faults"]

    def clear_faults(self) -> None:
        self._op("faults", method="DELETE")

    # -- reading ----------------------------------------------------------------------
    def list(self) -> dict[str, Any]:
        """``{"namespace", "tools": [... + {"mock": {"fixtures", "mockResponse"}}], "faults"}``."""
        return self._op("list-tools", method="GET")

    def get(self, tool: str) -> dict[str, Any]:
        """One tool with its ``mockResponse`` and fixtures."""
        return self._op("get-tool", {"name": tool})

    def tools(self) -> list[dict[str, Any]]:
        """The MCP tool entries to offer a model (what the host validates calls against)."""
        return self.sandbox.tools(self.component, namespace=self.namespace)

    def clear(self, tool: str | None = None) -> dict[str, Any]:
        return self._op("clear", {"name": tool} if tool else None)

    # -- calling ----------------------------------------------------------------------
    def call(self, tool: str, args: Mapping[str, Any] | None, session_id: str, *, trace: bool = False) -> Any:
        return self.sandbox.call(
            self.component, tool, args, session_id, namespace=self.namespace, trace=trace
        )


@dataclass
class PreparedNamespace:
    namespace: str
    tools: list[dict[str, Any]]
    excluded: list[str] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)

    @property
    def tool_names(self) -> list[str]:
        return [t["name"] for t in self.tools]


def check_document(document: Any, origin: str) -> definitions.Document:
    """Parse a tools/data document; a problem is a `ConfigError` naming `origin` and the field."""
    try:
        return definitions.document(document)
    except FormatError as exc:
        raise ConfigError(f"{origin}: {exc}") from None


def _without(document: Any, names: set[str]) -> Any:
    """The document minus the tools in `names` and their mock data."""
    if not names:
        return document
    if isinstance(document, list):
        return [t for t in document if not (isinstance(t, dict) and t.get("name") in names)]
    out = dict(document)
    if isinstance(out.get("tools"), list):
        out["tools"] = [t for t in out["tools"] if not (isinstance(t, dict) and t.get("name") in names)]
    for key in ("mockResponses", "fixtures"):
        if isinstance(out.get(key), dict):
            out[key] = {k: v for k, v in out[key].items() if k not in names}
    return out


def prepare_mock_namespace(
    sandbox: Any,
    namespace: str,
    *,
    schema_file: str | Path | None = None,
    data_file: str | Path | None = None,
    faults: Mapping[str, Any] | None = None,
    destructive: Destructive = "allow",
    clear: bool = True,
    component: str = "mock",
) -> PreparedNamespace:
    """Set up `namespace` from a tool-set config; returns the tools to offer the model.

    `schema_file` is an MCP tools/list file, `data_file` a mock data file (either may hold
    both). `faults` replaces any fault settings from the files. Tools annotated
    ``destructiveHint: true`` are loaded as they are (``allow``), left out (``exclude``),
    or offered but every call answers ``PermissionDenied`` (``deny``, marked in the trace as
    an injected fault). With `clear` (the default) the namespace holds exactly this config.
    Bad files raise `ConfigError` naming the file and the field.
    """
    if destructive not in ("allow", "exclude", "deny"):
        raise ConfigError(f"destructive: expected allow, exclude or deny, got {destructive!r}")
    sources = [(str(path), read_document(path)) for path in (schema_file, data_file) if path is not None]
    destructive_tools: set[str] = set()
    fault_config: Any = None
    for origin, raw in sources:
        document = check_document(raw, origin)
        destructive_tools.update(
            t["name"] for t in document.tools if (t.get("annotations") or {}).get("destructiveHint") is True
        )
        if document.has_faults:
            fault_config = raw["faults"]
    if faults is not None:
        fault_config = dict(faults)
        try:
            fault_settings.normalize(fault_config)
        except FormatError as exc:
            raise ConfigError(f"faults: {exc}") from None
    excluded = sorted(destructive_tools) if destructive == "exclude" else []
    denied = sorted(destructive_tools) if destructive == "deny" else []
    if denied:
        fault_config = _with_denials(fault_config, denied)

    mock = MockTools(sandbox, namespace, component=component)
    if clear:
        mock.clear()
    for origin, raw in sources:
        document = _without(raw, set(excluded))
        if isinstance(document, dict):
            document = {k: v for k, v in document.items() if k in ("tools", "mockResponses", "fixtures")}
        if not document or check_document(document, origin).empty:
            continue
        try:
            mock.load(document)
        except SandboxError as exc:
            raise ConfigError(f"{origin}: {exc.message}") from None
    if fault_config is not None or clear:
        mock.set_faults(fault_config)
    return PreparedNamespace(namespace=namespace, tools=mock.tools(), excluded=excluded, denied=denied)


def _with_denials(config: Any, tools: list[str]) -> dict[str, Any]:
    """`config` plus an always-on PermissionDenied for `tools`."""
    out = copy.deepcopy(dict(config or {}))
    per_tool = dict(out.get("tools") or {})
    for name in tools:
        per_tool[name] = {
            "rate_limited": 0,
            "timeout": 0,
            "service_unavailable": 0,
            "custom": [{"rate": 1, "error_type": "PermissionDenied", "message": DENIED_MESSAGE}],
        }
    out["tools"] = per_tool
    return out
