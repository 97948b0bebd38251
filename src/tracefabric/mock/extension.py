"""The host side of the mock component (see `tracefabric.sandbox.host.extensions`).

Before the guest stores anything, the host: decodes YAML bodies, checks that every
``inputSchema``/``outputSchema`` is a valid JSON Schema, and checks responses and fixtures
against the tool's ``outputSchema`` (templates allowed, see `outputs`). After each call it
checks the rendered response against ``outputSchema`` again. ``/mock/pull`` is served here:
the MCP handshake and paginated ``tools/list`` with the official SDK, only to origins the
manifest grants the mock component, then the tools are loaded like ``/mock/load-schema``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tracefabric.components.mock import definitions
from tracefabric.components.mock.errors import FormatError
from tracefabric.components.mock.templates import has_placeholders

from .files import parse_text
from .outputs import response_problem, schema_problem

if TYPE_CHECKING:
    from tracefabric.sandbox.host import SandboxHost

LOAD_OPERATIONS = ("load-schema", "load-data", "load")
WRITE_OPERATIONS = (*LOAD_OPERATIONS, "add-fixture", "remove-fixture", "update-response", "clear", "faults")
PULL_FIELDS = {"url", "headers", "timeout", "namespace"}
MAX_PULL_TIMEOUT_S = 120.0
FORBIDDEN_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer"}
# Pull failures as HTTP answers: (status, error_type).
PULL_ERRORS = {
    "denied": (403, "CapabilityDenied"),
    "timeout": (504, "Timeout"),
    "connect": (502, "ServiceUnavailable"),
    "server": (502, "APIError"),
    "protocol": (502, "APIError"),
}


def _error(status: int, error_type: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"success": False, "error": message, "error_type": error_type}


def _invalid(message: str) -> tuple[int, dict[str, Any]]:
    return _error(400, "InvalidRequest", message)


class MockExtension:
    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # -- management -------------------------------------------------------------------
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
        if operation == "pull":
            return self._pull(host, component, body, namespace)
        if operation not in WRITE_OPERATIONS:
            return None
        # Writes read-modify-write a tool's responses: one at a time per namespace, so two
        # concurrent fixture additions can't lose one another.
        with self._lock_for(component, namespace):
            if operation in LOAD_OPERATIONS:
                return self._load(host, component, operation, body, namespace)
            problem = None
            if operation == "add-fixture" and isinstance(body, dict):
                problem = self._check_stored(
                    host, component, namespace, body.get("name"), body.get("response"), "response"
                )
            if (
                operation == "update-response"
                and isinstance(body, dict)
                and body.get("mockResponse") is not None
            ):
                problem = self._check_stored(
                    host, component, namespace, body.get("name"), body.get("mockResponse"), "mockResponse"
                )
            if problem:
                return _invalid(problem)
            return host.guest_manage(
                component, operation, body, method=method, query=query, namespace=namespace
            )

    def _lock_for(self, component: str, namespace: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault((component, namespace), threading.Lock())

    def _load(
        self, host: SandboxHost, component: str, operation: str, body: Any, namespace: str
    ) -> tuple[int, Any]:
        if isinstance(body, str):
            try:
                body = parse_text(body, allow_aliases=False)
            except ValueError as exc:
                return _invalid(f"the body is {exc}")
        try:
            document = definitions.document(body)
        except FormatError as exc:
            return _invalid(str(exc))
        problem = self._check_document(host, component, namespace, document)
        if problem:
            return _invalid(problem)
        return host.guest_manage(component, operation, body, method="POST", namespace=namespace)

    def _check_document(
        self, host: SandboxHost, component: str, namespace: str, document: definitions.Document
    ) -> str | None:
        output_schemas: dict[str, Any] = {}
        for i, tool in enumerate(document.tools):
            for key in ("inputSchema", "outputSchema"):
                if key in tool and (problem := schema_problem(tool[key])):
                    return f"tools[{i}].{key} of {tool['name']!r} {problem}"
            output_schemas[tool["name"]] = tool.get("outputSchema")
        for name, data in document.data.items():
            schema = (
                output_schemas[name]
                if name in output_schemas
                else self._output_schema(host, component, namespace, name)
            )
            if not schema:
                continue
            if data.has_response and (problem := _response_problem(schema, data.response)):
                return f"the mockResponse of {name!r} does not match its outputSchema: {problem}"
            for fixture in data.fixtures:
                if problem := _response_problem(schema, fixture["response"]):
                    match = json.dumps(fixture["match"], ensure_ascii=False)
                    return (
                        f"the fixture of {name!r} matching {match} does not match its outputSchema: {problem}"
                    )
        return None

    def _output_schema(self, host: SandboxHost, component: str, namespace: str, name: Any) -> Any:
        if not isinstance(name, str):
            return None
        entry = host.tool_schema(component, name, namespace)
        return entry.get("outputSchema") if entry else None

    def _check_stored(
        self, host: SandboxHost, component: str, namespace: str, name: Any, response: Any, field: str
    ) -> str | None:
        schema = self._output_schema(host, component, namespace, name)
        if not schema:
            return None  # no outputSchema, or no such tool (the guest answers 404)
        problem = _response_problem(schema, response)
        return f"{field} does not match the outputSchema of {name!r}: {problem}" if problem else None

    # -- pull -------------------------------------------------------------------------
    def _pull(self, host: SandboxHost, component: str, body: Any, namespace: str) -> tuple[int, Any]:
        from .mcp_client import DEFAULT_TIMEOUT_S, MCPImportError, fetch_tools_http

        if not isinstance(body, dict) or not isinstance(body.get("url"), str) or not body["url"]:
            return _invalid('expected a JSON object {"url": "http://host:port/mcp"}')
        unknown = sorted(set(body) - PULL_FIELDS)
        if unknown:
            return _invalid(f"unknown field {unknown[0]!r} (expected url, headers, timeout)")
        headers = body.get("headers") or {}
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            return _invalid("field 'headers' must map header names to strings")
        if any(k.lower() in FORBIDDEN_HEADERS for k in headers):
            return _invalid(f"field 'headers' may not set {', '.join(sorted(FORBIDDEN_HEADERS))}")
        timeout = body.get("timeout", DEFAULT_TIMEOUT_S)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not 0 < timeout <= MAX_PULL_TIMEOUT_S
        ):
            return _invalid(f"field 'timeout' must be a number of seconds in (0, {MAX_PULL_TIMEOUT_S:g}]")
        url = body["url"]
        allowlist = host.runtime(component).grants.hosts

        def allow(target: str) -> str | None:
            reason = allowlist.check(target)
            return f"pull refused: {reason}" if reason else None

        try:
            imported = fetch_tools_http(url, headers=headers, timeout=float(timeout), allow=allow)
        except MCPImportError as exc:
            status, error_type = PULL_ERRORS.get(exc.kind, (502, "APIError"))
            message = exc.message if exc.kind == "denied" else f"MCP server error: {exc.message}"
            return _error(status, error_type, message)
        status, result = self._load(host, component, "load-schema", imported.document(), namespace)
        if status == 200 and isinstance(result, dict):
            result = {**result, "source": url, "pages": imported.pages, "server": imported.server}
        return status, result

    # -- tool calls -------------------------------------------------------------------
    def after_execute(
        self, host: SandboxHost, component: str, tool: dict[str, Any], payload: dict[str, Any]
    ) -> dict[str, Any]:
        schema = tool.get("outputSchema")
        if not schema or payload.get("success") is not True:
            return payload
        meta = payload.get("meta") if isinstance(payload.get("meta"), dict) else {}
        if (meta.get("mock") or {}).get("source") == "echo":
            return payload  # nothing configured yet: the echo is the documented placeholder
        result = payload.get("result")
        try:
            value = json.loads(result) if isinstance(result, str) else result
        except ValueError:
            value = result
        problem = response_problem(schema, value)
        if problem is None:
            return payload
        return {
            "success": False,
            "result": f"the mock response of {tool.get('name')!r} does not match its outputSchema: {problem}",
            "error_type": "ComponentError",
            "meta": meta,
        }


def _response_problem(schema: dict[str, Any], response: Any) -> str | None:
    return response_problem(schema, response, templated=has_placeholders(response))
