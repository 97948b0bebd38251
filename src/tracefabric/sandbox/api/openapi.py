"""The OpenAPI 3.1 document of a tool server: root routes plus each enabled component's prefix."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracefabric import __version__

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": _json(
        _ERROR, "Malformed request (bad JSON, missing or mistyped fields, body too large, bad session id)"
    ),
    "401": _json(_ERROR, "Missing or wrong bearer token"),
    "404": _json(_ERROR, "Unknown route, component or operation"),
}

_SESSION_PARAM = {
    "name": "session_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"},
}
_NAMESPACE_PARAM = {
    "name": "namespace",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},
    "description": "Namespace of shared state (components with shared stores, e.g. the mock)",
}

_SCHEMAS: dict[str, Any] = {
    "ExecuteRequest": {
        "type": "object",
        "description": "DeepFabric Spin tools-sdk request. The MCP/mock form {name, arguments} is "
        "accepted too (it runs in a throwaway session and answers `result` as parsed JSON).",
        "properties": {
            "session_id": {"type": "string", "pattern": _SESSION_PARAM["schema"]["pattern"]},
            "tool": {"type": "string"},
            "args": {"type": "object"},
            "namespace": {"type": "string"},
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


def _execute(summary: str, tag: str) -> dict[str, Any]:
    return _op(
        summary,
        _json(_ref("ExecuteResult"), "The tool's result"),
        tag,
        requestBody={"required": True, "content": {"application/json": {"schema": _ref("ExecuteRequest")}}},
    )


def build_openapi(components: Iterable[tuple[str, str, str]], *, bearer_auth: bool) -> dict[str, Any]:
    """`components`: (name, URL prefix, description) of each enabled component."""
    components = list(components)
    paths: dict[str, Any] = {
        "/health": {"get": _op("Server health", _json(_ref("Health"), "Healthy"), "server")},
        "/components": {"get": _op("Enabled components", _json(_ref("Components"), "Components"), "server")},
        "/execute": {"post": _execute("Run a tool, routed to the component that declares it", "server")},
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
        paths[f"{prefix}/execute"] = {"post": _execute(f"Run a {name} tool", tag)}
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
            "DeepFabric's Spin tools-sdk. Errors are JSON with a structured `error_type`.",
        },
        "tags": [{"name": "server"}, *({"name": n, "description": d} for n, _, d in components)],
        "paths": paths,
        "components": {"schemas": _SCHEMAS},
    }
    if bearer_auth:
        document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        document["security"] = [{"bearer": []}]
    return document
