"""The tool server's wire format, independent of any web framework.

`Router.handle(method, path, body, query)` → `(status, json)`. The ASGI server and the
in-process client transport both go through it, so the two behave identically by
construction. Routes (DeepFabric Spin tools-sdk compatible, plus our extensions):

Root: ``GET /health``, ``GET /components``, ``DELETE /session/{id}``, ``POST /execute``
(routes by tool name). Under each component's prefix (from its manifest route):
``POST {p}/execute``, ``GET {p}/tools``, ``GET {p}/health``, ``GET {p}/components``,
``DELETE {p}/session/{id}``; any other ``{p}/{operation}`` is the component's own
management operation. Errors are JSON with a structured ``error_type``; malformed
requests are 400, unknown routes 404, never 500 for bad input.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from tracefabric.errors import ErrorType, SandboxError
from tracefabric.sandbox.host import SandboxHost, check_namespace

MAX_BODY_BYTES = 8 * 1024 * 1024
_NO_BODY = object()


def error_body(error_type: str, message: str) -> dict[str, Any]:
    # `error` is what DeepFabric's client reads on non-200; `result` keeps the tool-call shape.
    return {"success": False, "result": message, "error": message, "error_type": error_type}


def _invalid(message: str) -> SandboxError:
    return SandboxError(ErrorType.INVALID_REQUEST, f"Invalid request: {message}", status=400)


class Router:
    def __init__(self, host: SandboxHost, *, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.host = host
        self.max_body_bytes = max_body_bytes

    # -- entry point ------------------------------------------------------------------
    def handle(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        query: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        query = query or {}
        try:
            return self._route(method.upper(), path, body, query)
        except SandboxError as exc:
            return exc.status, error_body(exc.error_type, exc.message)

    def _route(self, method: str, path: str, body: bytes | None, query: Mapping[str, str]) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        if body is not None and len(body) > self.max_body_bytes:
            raise SandboxError(
                ErrorType.INVALID_REQUEST, f"Invalid request: body exceeds {self.max_body_bytes} bytes", status=413
            )
        # Root routes first (a component can't shadow them).
        if parts == ["health"] and method == "GET":
            return 200, {"status": "healthy", "components": self.host.component_names()}
        if parts == ["components"] and method == "GET":
            return 200, self._components()
        if len(parts) == 2 and parts[0] == "session" and method == "DELETE":
            return 200, {"success": True, "deleted_files": self.host.end_session(parts[1])}
        if parts == ["execute"] and method == "POST":
            return self._execute(None, self._json(body), query)

        component, rest = self._match_component(parts)
        if component is None:
            raise SandboxError("NotFound", f"no route for {method} {path}", status=404)
        if rest == ["execute"] and method == "POST":
            return self._execute(component, self._json(body), query)
        if rest == ["tools"] and method == "GET":
            namespace = check_namespace(query.get("namespace"))
            return 200, {"tools": self.host.tools(component, namespace)}
        if rest == ["health"] and method == "GET":
            self.host.runtime(component)  # loads it: a component that can't start is not healthy
            return 200, {"status": "healthy", "components": [component]}
        if rest == ["components"] and method == "GET":
            return 200, {"components": [component], "details": [self.host.info(component).to_json()]}
        if len(rest) == 2 and rest[0] == "session" and method == "DELETE":
            return 200, {"success": True, "deleted_files": self.host.end_session(rest[1], component)}
        if len(rest) == 1:
            return self._manage(component, rest[0], method, body, query)
        raise SandboxError("NotFound", f"no route for {method} {path}", status=404)

    # -- helpers ----------------------------------------------------------------------
    def _components(self) -> dict[str, Any]:
        infos = self.host.components()
        return {"components": [i.name for i in infos], "details": [i.to_json() for i in infos]}

    def _match_component(self, parts: list[str]) -> tuple[str | None, list[str]]:
        """Longest manifest route prefix that matches the path."""
        best: tuple[str | None, list[str]] = (None, parts)
        best_len = -1
        for name in self.host.manifest.component:
            prefix = [p for p in self.host.manifest.route_prefix(name).split("/") if p]
            if parts[: len(prefix)] == prefix and len(prefix) > best_len and len(parts) > len(prefix):
                best, best_len = (name, parts[len(prefix) :]), len(prefix)
        if best[0] is not None:
            self.host._check_component(best[0])  # 404 with a clear message when disabled
        return best

    def _json(self, body: bytes | None) -> Any:
        if not body:
            raise _invalid("expected a JSON body")
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _invalid(f"body is not valid JSON ({exc})") from None

    def _execute(self, component: str | None, payload: Any, query: Mapping[str, str]) -> tuple[int, Any]:
        if not isinstance(payload, dict):
            raise _invalid("body must be a JSON object")
        mcp_style = "tool" not in payload and "name" in payload
        tool = payload.get("name") if mcp_style else payload.get("tool")
        args = payload.get("arguments" if mcp_style else "args", {})
        if not isinstance(tool, str) or not tool:
            raise _invalid("missing field 'tool' (a string)")
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise _invalid("field 'args' must be a JSON object")
        trace = payload.get("trace", False)
        if not isinstance(trace, bool):
            raise _invalid("field 'trace' must be a boolean")
        namespace = payload.get("namespace", query.get("namespace"))
        session_id = payload.get("session_id")
        ephemeral = False
        if session_id is None and mcp_style:
            # DeepFabric's mock-style body has no session: run in a throwaway one.
            session_id, ephemeral = f"oneshot-{uuid.uuid4().hex}", True
        elif session_id is None:
            raise _invalid("missing field 'session_id'")
        if component is None:
            component = self._component_for_tool(tool, namespace)
        try:
            response = self.host.execute(component, tool, args, session_id, namespace=namespace, trace=trace)
        finally:
            if ephemeral:
                self.host.end_session(session_id, component)
        if mcp_style:
            response = {**response, "result": _parse_json_text(response["result"])}
        return 200, response

    def _component_for_tool(self, tool: str, namespace: Any) -> str:
        for name in self.host.component_names():
            if self.host.tool_schema(name, tool, check_namespace(namespace)) is not None:
                return name
        raise SandboxError(ErrorType.UNKNOWN_TOOL, f"Unknown tool: {tool}", status=404)

    def _manage(
        self, component: str, operation: str, method: str, body: bytes | None, query: Mapping[str, str]
    ) -> tuple[int, Any]:
        payload: Any = None
        if body:
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                # Some operations take other text (the mock's load-schema accepts YAML).
                try:
                    payload = body.decode("utf-8")
                except UnicodeDecodeError:
                    raise _invalid("body must be UTF-8 text") from None
        namespace = query.get("namespace")
        if isinstance(payload, dict) and "namespace" in payload and namespace is None:
            namespace = payload.get("namespace")
        status, response = self.host.manage(
            component, operation, payload, method=method, query=dict(query), namespace=namespace
        )
        return status, response


def _parse_json_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
