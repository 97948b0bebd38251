"""The OpenAPI 3.1 document of a tool server: root routes plus each enabled component's prefix.

It states the limits the server enforces: id and namespace patterns and lengths (the same
patterns the host checks), the body size and JSON depth, and the server's resource limits
(`x-limits`: live instances, stored bytes per session and in total, request deadlines).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tracefabric import __version__
from tracefabric.sandbox.host.host import NAMESPACE_PATTERN, SESSION_PATTERN

from .wire import MAX_JSON_DEPTH

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": _json(
        _ERROR,
        "Malformed request (bad JSON or HTTP, missing or mistyped fields, body too large, bad session "
        "id or namespace; `InvalidArguments` for argument text that is not valid Unicode)",
    ),
    "401": _json(_ERROR, "Missing or wrong bearer token"),
    "403": _json(
        _ERROR,
        "Refused before routing: `HostNotAllowed` (a Host that is not this server: DNS rebinding), "
        "`OriginNotAllowed` (a browser Origin not allowed), `ContentTypeNotAllowed` (a POST that is not JSON)",
    ),
    "404": _json(_ERROR, "Unknown route, component or operation"),
    "405": {
        **_json(_ERROR, "Known route, wrong method (`allow` and the `Allow` header name the right one)"),
        "headers": {"Allow": {"schema": {"type": "string"}}},
    },
    "408": _json(_ERROR, "The request's headers or body did not arrive in time (`RequestTimeout`)"),
}

_SESSION_SCHEMA = {"type": "string", "pattern": SESSION_PATTERN, "minLength": 1, "maxLength": 128}
_NAMESPACE_SCHEMA = {"type": "string", "pattern": NAMESPACE_PATTERN, "minLength": 1, "maxLength": 64}
_SESSION_PARAM = {"name": "session_id", "in": "path", "required": True, "schema": _SESSION_SCHEMA}
_NAMESPACE_PARAM = {
    "name": "namespace",
    "in": "query",
    "required": False,
    "schema": _NAMESPACE_SCHEMA,
    "description": "Namespace of shared state (components with shared stores, e.g. the mock)",
}

_SCHEMAS: dict[str, Any] = {
    "ExecuteRequest": {
        "type": "object",
        "description": "DeepFabric Spin tools-sdk request. The MCP/mock form {name, arguments} is "
        "accepted too (it runs in a throwaway session and answers `result` as parsed JSON).",
        "properties": {
            "session_id": _SESSION_SCHEMA,
            "tool": {"type": "string", "minLength": 1},
            "args": {
                "type": "object",
                "description": "Checked against the tool's inputSchema; text must be valid Unicode",
            },
            "namespace": _NAMESPACE_SCHEMA,
            "trace": {"type": "boolean", "description": "Add timing, fuel and the session state digest"},
        },
        "required": ["session_id", "tool"],
    },
    "ExecuteResult": {
        "type": "object",
        "description": "HTTP 200 even when the tool failed: `success` false and an `error_type`.",
        "properties": {
            "success": {"type": "boolean"},
            "result": {"type": "string"},
            "error_type": {"type": ["string", "null"]},
            "meta": {"type": "object"},
            "trace": {"type": "object"},
        },
        "required": ["success", "result", "error_type"],
    },
    "Error": {
        "type": "object",
        "properties": {
            "success": {"const": False},
            "result": {"type": "string"},
            "error": {"type": "string"},
            "error_type": {"type": "string"},
            "allow": {"type": "array", "items": {"type": "string"}, "description": "405 only"},
        },
        "required": ["success", "error", "error_type"],
    },
    "Health": {
        "type": "object",
        "properties": {
            "status": {"type": "string"},
            "components": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Components": {
        "type": "object",
        "properties": {
            "components": {"type": "array", "items": {"type": "string"}},
            "details": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Tools": {
        "type": "object",
        "description": "MCP tools/list shape",
        "properties": {"tools": {"type": "array", "items": {"type": "object"}}},
    },
    "SessionDeleted": {
        "type": "object",
        "properties": {"success": {"const": True}, "deleted_files": {"type": "integer"}},
    },
}


def _op(summary: str, ok: dict[str, Any], tag: str, **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "tags": [tag], "responses": {"200": ok, **_ERRORS}, **extra}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _execute(summary: str, tag: str, body_note: str) -> dict[str, Any]:
    return _op(
        summary,
        _json(_ref("ExecuteResult"), "The tool's result"),
        tag,
        requestBody={
            "required": True,
            "description": body_note,
            "content": {"application/json": {"schema": _ref("ExecuteRequest")}},
        },
    )


def _limits_text(limits: Mapping[str, Any]) -> str:
    parts = [
        f"request bodies: JSON (Content-Type application/json), at most {limits['max_body_bytes']:,} bytes, "
        f"nested at most {MAX_JSON_DEPTH} levels"
    ]
    if limits.get("max_instances"):
        parts.append(f"{limits['max_instances']} live session instances (older ones are rebuilt on use)")
    if limits.get("max_session_bytes"):
        parts.append(f"{limits['max_session_bytes']:,} stored bytes per session")
    if limits.get("max_store_bytes"):
        parts.append(f"{limits['max_store_bytes']:,} stored bytes in total")
    if limits.get("header_timeout_s"):
        parts.append(
            f"headers within {limits['header_timeout_s']:g} s, bodies within {limits['body_timeout_s']:g} s"
        )
    return "; ".join(parts)


def build_openapi(
    components: Iterable[tuple[str, str, str]],
    *,
    bearer_auth: bool,
    limits: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """`components`: (name, URL prefix, description) of each enabled component; `limits`: what
    the server enforces (`max_body_bytes`, `max_instances`, `max_session_bytes`, ...)."""
    components = list(components)
    limits = {"max_body_bytes": 8 * 1024 * 1024, **(limits or {})}
    body_note = f"JSON, at most {limits['max_body_bytes']:,} bytes, nested at most {MAX_JSON_DEPTH} levels"
    paths: dict[str, Any] = {
        "/health": {"get": _op("Server health", _json(_ref("Health"), "Healthy"), "server")},
        "/components": {"get": _op("Enabled components", _json(_ref("Components"), "Components"), "server")},
        "/execute": {
            "post": _execute("Run a tool, routed to the component that declares it", "server", body_note)
        },
        "/session/{session_id}": {
            "delete": _op(
                "End a session in every component (instances and stored data)",
                _json(_ref("SessionDeleted"), "Deleted"),
                "server",
                parameters=[_SESSION_PARAM],
            )
        },
        "/openapi.json": {"get": {"summary": "This document", "tags": ["server"], "responses": {"200": {}}}},
    }
    for name, prefix, _ in components:
        tag = name
        paths[f"{prefix}/execute"] = {"post": _execute(f"Run a {name} tool", tag, body_note)}
        paths[f"{prefix}/tools"] = {
            "get": _op(
                f"Tool schemas of {name}", _json(_ref("Tools"), "Tools"), tag, parameters=[_NAMESPACE_PARAM]
            )
        }
        paths[f"{prefix}/health"] = {"get": _op(f"{name} health", _json(_ref("Health"), "Healthy"), tag)}
        paths[f"{prefix}/components"] = {
            "get": _op(f"{name} details", _json(_ref("Components"), "Details"), tag)
        }
        paths[f"{prefix}/session/{{session_id}}"] = {
            "delete": _op(
                f"End a session in {name}",
                _json(_ref("SessionDeleted"), "Deleted"),
                tag,
                parameters=[_SESSION_PARAM],
            )
        }
        paths[f"{prefix}/session/{{session_id}}/seed"] = {
            "post": _op(
                f"Start a session in {name} afresh: delete its data, then write `files` "
                "({path: text}) with the component's write_file tool",
                {"description": "`{success, deleted_files, written_files}`, or the first failed write"},
                tag,
                parameters=[_SESSION_PARAM],
            )
        }
        paths[f"{prefix}/{{operation}}"] = {
            method: _op(
                f"A management operation of {name} (see its documentation)",
                {"description": "The operation's answer"},
                tag,
                parameters=[
                    {"name": "operation", "in": "path", "required": True, "schema": {"type": "string"}},
                    _NAMESPACE_PARAM,
                ],
            )
            for method in ("get", "post")
        }
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "tracefabric tool server",
            "version": __version__,
            "description": "Tool components run in a WebAssembly sandbox, served in the wire format of "
            "DeepFabric's Spin tools-sdk. Errors are JSON with a structured `error_type`. "
            f"Limits: {_limits_text(limits)}. A write over a storage limit fails with `ResourceExhausted` "
            "and leaves stored data as it was.",
        },
        "x-limits": {key: value for key, value in limits.items() if value is not None},
        "tags": [{"name": "server"}, *({"name": n, "description": d} for n, _, d in components)],
        "paths": paths,
        "components": {"schemas": _SCHEMAS},
    }
    if bearer_auth:
        document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        document["security"] = [{"bearer": []}]
    return document
