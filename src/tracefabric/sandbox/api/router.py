"""The tool server's wire format, independent of any web framework.

`Router.handle(method, raw_path, body, query)` → `(status, json)`. The ASGI server and the
in-process client transport both go through it, so the two behave identically by
construction. Routes (DeepFabric Spin tools-sdk compatible, plus our extensions):

Root: ``GET /health``, ``GET /components``, ``DELETE /session/{id}``, ``POST /execute``
(routes by tool name), ``GET /openapi.json``. Under each component's prefix (from its
manifest route): ``POST {p}/execute``, ``GET {p}/tools``, ``GET {p}/health``,
``GET {p}/components``, ``DELETE {p}/session/{id}``; any other ``{p}/{operation}`` is the
component's own management operation. Errors are JSON with a structured ``error_type``:
malformed requests are 400, unknown routes, components and operations 404, a known route
with the wrong method 405; bad input never gives a 500, and nothing answers a stack trace.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from tracefabric.errors import ConfigError, ErrorType, SandboxError, error_body
from tracefabric.sandbox.host import SandboxHost, check_namespace, check_session_id
from tracefabric.sandbox.validation import invalid_text_path

from .openapi import build_openapi
from .wire import MAX_JSON_DEPTH, encode_json, nested_too_deep, split_path

MAX_BODY_BYTES = 8 * 1024 * 1024
# Deeper JSON than this is refused up front: copying or validating it would exhaust the stack.
# Per-component routes the host itself serves, and the method each takes.
RESERVED = {"execute": "POST", "tools": "GET", "health": "GET", "components": "GET"}
ROOT = {"health": "GET", "components": "GET", "execute": "POST", "openapi.json": "GET"}

log = logging.getLogger("tracefabric.server")


class SessionObserver(Protocol):
    """Told about session activity (the server's TTL sweeper implements it)."""

    def touch(self, session_id: str) -> None: ...

    def forget(self, session_id: str) -> None: ...


def encode_response(status: int, payload: Any) -> tuple[int, bytes]:
    """The response body as strict JSON; a value that can't be encoded is the component's fault."""
    try:
        return status, encode_json(payload)
    except SandboxError:
        message = "the component answered with a value that is not valid JSON (e.g. NaN)"
        return 500, encode_json(error_body(ErrorType.COMPONENT_ERROR, message))


def _invalid(message: str) -> SandboxError:
    return SandboxError(ErrorType.INVALID_REQUEST, f"Invalid request: {message}", status=400)


class MethodNotAllowed(SandboxError):
    """405; the answer names the allowed method in `allow` (the HTTP server's `Allow` header)."""

    def __init__(self, method: str, path: str, allowed: str) -> None:
        super().__init__("MethodNotAllowed", f"{method} is not allowed on {path} (use {allowed})", status=405)
        self.allowed = allowed


def _not_allowed(method: str, path: str, allowed: str) -> SandboxError:
    return MethodNotAllowed(method, path, allowed)


class Router:
    def __init__(
        self,
        host: SandboxHost,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        sessions: SessionObserver | None = None,
        bearer_auth: bool = False,
        limits: Mapping[str, Any] | None = None,
    ) -> None:
        """`limits`: what the server around this router enforces, for the OpenAPI document."""
        self.host = host
        self.max_body_bytes = max_body_bytes
        self.sessions = sessions
        self.bearer_auth = bearer_auth
        self.limits = {"max_body_bytes": max_body_bytes, **(limits or {})}

    # -- entry point ------------------------------------------------------------------
    def handle(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        query: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        """`path` is percent-encoded (as on the wire, without the query string)."""
        try:
            status, payload = self._route(method.upper(), path, body, query or {})
        except MethodNotAllowed as exc:
            return exc.status, {**error_body(exc.error_type, exc.message), "allow": [exc.allowed]}
        except SandboxError as exc:
            return exc.status, error_body(exc.error_type, exc.message)
        except ConfigError as exc:
            # A component that cannot load (missing source, fails to instantiate): the server's problem.
            return 500, error_body(ErrorType.COMPONENT_ERROR, str(exc))
        except RecursionError:
            return 400, error_body(ErrorType.INVALID_REQUEST, "Invalid request: JSON nested too deeply")
        except Exception:
            log.exception("internal error while serving %s %s", method, path)
            return 500, error_body(
                "InternalError", "internal error while serving the request (see the server log)"
            )
        if not isinstance(status, int) or not 200 <= status <= 599:
            return 500, error_body(
                ErrorType.COMPONENT_ERROR, f"the component answered with HTTP status {status!r}"
            )
        return status, payload

    def _route(self, method: str, path: str, body: bytes | None, query: Mapping[str, str]) -> tuple[int, Any]:
        if body is not None and len(body) > self.max_body_bytes:
            raise _invalid(f"body of {len(body)} bytes exceeds the limit of {self.max_body_bytes} bytes")
        parts = split_path(path)
        shown = "/" + "/".join(parts)
        # Root routes first (a component can't shadow them).
        if len(parts) == 1 and parts[0] in ROOT:
            if method != ROOT[parts[0]]:
                raise _not_allowed(method, shown, ROOT[parts[0]])
            return self._root(parts[0], body, query)
        if len(parts) == 2 and parts[0] == "session":
            if method != "DELETE":
                raise _not_allowed(method, shown, "DELETE")
            return self._end_session(parts[1], None)

        component, rest = self._match_component(parts, shown)
        if len(rest) == 1 and rest[0] in RESERVED:
            if method != RESERVED[rest[0]]:
                raise _not_allowed(method, shown, RESERVED[rest[0]])
            return self._component_route(component, rest[0], body, query)
        if len(rest) == 2 and rest[0] == "session":
            if method != "DELETE":
                raise _not_allowed(method, shown, "DELETE")
            return self._end_session(rest[1], component)
        if len(rest) == 3 and rest[0] == "session" and rest[2] == "seed":
            if method != "POST":
                raise _not_allowed(method, shown, "POST")
            return self._seed_session(component, rest[1], self._json(body))
        if len(rest) == 1:
            return self._manage(component, rest[0], method, body, query)
        raise SandboxError(
            ErrorType.NOT_FOUND, f"no route for {method} {shown} (see /openapi.json)", status=404
        )

    def _seed_session(self, component: str, session_id: str, payload: Any) -> tuple[int, Any]:
        """Empty the session, then write `files` through the component's `write_file` tool."""
        files = payload.get("files") if isinstance(payload, dict) else None
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            raise _invalid("field 'files' must be an object of path -> text")
        deleted = self.host.end_session(session_id, component)
        for path, content in files.items():
            result = self.host.execute(
                component, "write_file", {"file_path": path, "content": content}, session_id
            )
            if not result["success"]:
                return 200, {
                    "success": False,
                    "result": f"{path}: {result['result']}",
                    "error_type": result["error_type"],
                }
        return 200, {"success": True, "deleted_files": deleted, "written_files": len(files)}

    def _root(self, name: str, body: bytes | None, query: Mapping[str, str]) -> tuple[int, Any]:
        if name == "health":
            return 200, {"status": "healthy", "components": self.host.component_names()}
        if name == "components":
            infos = self.host.components()
            return 200, {"components": [i.name for i in infos], "details": [i.to_json() for i in infos]}
        if name == "openapi.json":
            entries = [(i.name, i.route, i.description) for i in self.host.components()]
            return 200, build_openapi(entries, bearer_auth=self.bearer_auth, limits=self.limits)
        return self._execute(None, self._json(body), query)

    def _component_route(
        self, component: str, name: str, body: bytes | None, query: Mapping[str, str]
    ) -> tuple[int, Any]:
        if name == "execute":
            return self._execute(component, self._json(body), query)
        if name == "tools":
            namespace = check_namespace(query.get("namespace"))
            return 200, {"tools": self.host.tools(component, namespace)}
        if name == "health":
            self.host.runtime(component)  # loads it: a component that can't start is not healthy
            return 200, {"status": "healthy", "components": [component]}
        return 200, {"components": [component], "details": [self.host.info(component).to_json()]}

    # -- helpers ----------------------------------------------------------------------
    def _match_component(self, parts: list[str], shown: str) -> tuple[str, list[str]]:
        """The component with the longest manifest route prefix that matches the path."""
        best: str | None = None
        best_prefix: list[str] = []
        exact = False
        for name in self.host.manifest.component:
            prefix = [p for p in self.host.manifest.route_prefix(name).split("/") if p]
            if parts[: len(prefix)] != prefix:
                continue
            if len(parts) == len(prefix):
                exact = True
            elif best is None or len(prefix) > len(best_prefix):
                best, best_prefix = name, prefix
        if best is None:
            if exact or len(parts) < 2:
                raise SandboxError(
                    ErrorType.NOT_FOUND, f"no route for {shown} (see /openapi.json)", status=404
                )
            served = ", ".join(f"{i.name} ({i.route})" for i in self.host.components()) or "none"
            raise SandboxError(
                ErrorType.UNKNOWN_COMPONENT,
                f"no component is served at /{parts[0]}; enabled components: {served}",
                status=404,
            )
        self.host._check_component(best)  # 404 with a clear message when it is disabled
        return best, parts[len(best_prefix) :]

    def _json(self, body: bytes | None) -> Any:
        if not body:
            raise _invalid("expected a JSON body")
        try:
            value = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _invalid(f"body is not valid JSON ({exc})") from None
        if nested_too_deep(value):
            raise _invalid(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        return value

    @staticmethod
    def _check_text(payload: Any) -> None:
        where = invalid_text_path(payload)
        if where is not None:
            raise _invalid(f"{where}: not valid Unicode text (a lone surrogate)")

    def _execute(self, component: str | None, payload: Any, query: Mapping[str, str]) -> tuple[int, Any]:
        if not isinstance(payload, dict):
            raise _invalid("body must be a JSON object")
        mcp_style = "tool" not in payload and "name" in payload
        tool = payload.get("name") if mcp_style else payload.get("tool")
        args_field = "arguments" if mcp_style else "args"
        args = payload.get(args_field)
        if not isinstance(tool, str) or not tool:
            raise _invalid(f"field {'name' if mcp_style else 'tool'!r} must be a non-empty string")
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise _invalid(f"field {args_field!r} must be a JSON object")
        trace = payload.get("trace", False)
        if not isinstance(trace, bool):
            raise _invalid("field 'trace' must be a boolean")
        namespace = check_namespace(payload.get("namespace", query.get("namespace")))
        session_id = payload.get("session_id")
        ephemeral = False
        if session_id is None and mcp_style:
            # DeepFabric's mock-style body has no session: run in a throwaway one.
            session_id, ephemeral = f"oneshot-{uuid.uuid4().hex}", True
        elif session_id is None:
            raise _invalid("missing field 'session_id'")
        session_id = check_session_id(session_id)
        if component is None:
            component = self._component_for_tool(tool, namespace)
            if component is None:
                # Like a component's own execute: a tool failure is a result (HTTP 200), not an error.
                return 200, {
                    "success": False,
                    "result": f"Unknown tool: {tool}",
                    "error_type": ErrorType.UNKNOWN_TOOL,
                }
        if self.sessions is not None and not ephemeral:
            self.sessions.touch(session_id)
        try:
            response = self.host.execute(component, tool, args, session_id, namespace=namespace, trace=trace)
        finally:
            if ephemeral:
                self.host.end_session(session_id, component)
        if mcp_style:
            response = {**response, "result": _parse_json_text(response["result"])}
        return 200, response

    def _component_for_tool(self, tool: str, namespace: str) -> str | None:
        for name in self.host.component_names():
            if self.host.tool_schema(name, tool, namespace) is not None:
                return name
        return None

    def _end_session(self, session_id: str, component: str | None) -> tuple[int, Any]:
        deleted = self.host.end_session(check_session_id(session_id), component)
        if self.sessions is not None and component is None:
            self.sessions.forget(session_id)
        return 200, {"success": True, "deleted_files": deleted}

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
                    raise _invalid("body must be JSON or UTF-8 text") from None
            if nested_too_deep(payload):
                raise _invalid(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
            self._check_text(payload)
        namespace = query.get("namespace")
        if isinstance(payload, dict) and namespace is None:
            namespace = payload.get("namespace")
        return self.host.manage(
            component, operation, payload, method=method, query=dict(query), namespace=namespace
        )


def _parse_json_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
