"""Every route of the tool server over real HTTP, and every way a request can be malformed.

Errors are always JSON with a structured `error_type`; bad input is 400/404/405, never 500,
and no answer ever carries a stack trace.
"""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tracefabric.server import ToolServer


def _json(response: httpx.Response) -> Any:
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert "Traceback" not in response.text
    return body


def _error(response: httpx.Response, status: int, error_type: str) -> dict[str, Any]:
    body = _json(response)
    assert response.status_code == status, body
    assert body["success"] is False and body["error_type"] == error_type, body
    assert isinstance(body["error"], str) and body["error"]
    return body


def _execute(session_id: str, tool: str, **args: Any) -> dict[str, Any]:
    return {"session_id": session_id, "tool": tool, "args": args}


# -- root routes ---------------------------------------------------------------------------
def test_root_health_and_components(http: httpx.Client) -> None:
    assert _json(http.get("/health")) == {"status": "healthy", "components": ["vfs", "ops"]}
    body = _json(http.get("/components"))
    assert body["components"] == ["vfs", "ops"]
    routes = {d["name"]: d["route"] for d in body["details"]}
    assert routes == {"vfs": "/vfs", "ops": "/ops"}


def test_openapi_document_describes_the_routes(http: httpx.Client) -> None:
    document = _json(http.get("/openapi.json"))
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in ("/health", "/components", "/execute", "/session/{session_id}"):
        assert path in paths
    for prefix in ("/vfs", "/ops"):
        assert "post" in paths[f"{prefix}/execute"]
        assert "get" in paths[f"{prefix}/tools"]
        assert "delete" in paths[f"{prefix}/session/{{session_id}}"]
    assert "/off/execute" not in paths  # disabled components are not served
    assert "security" not in document  # no token on this server


def test_root_execute_routes_by_tool_name(http: httpx.Client, session_id: str) -> None:
    body = _json(http.post("/execute", json=_execute(session_id, "echo", text="via root")))
    assert body == {"success": True, "result": "via root", "error_type": None}
    wrote = _json(
        http.post("/execute", json=_execute(session_id, "write_file", file_path="r.txt", content="x"))
    )
    assert wrote["success"] is True
    # An unknown tool is a tool failure (HTTP 200), as under a component prefix.
    unknown = http.post("/execute", json=_execute(session_id, "no_such_tool"))
    assert unknown.status_code == 200
    assert _json(unknown) == {
        "success": False,
        "result": "Unknown tool: no_such_tool",
        "error_type": "UnknownTool",
    }


def test_root_session_delete_ends_the_session_everywhere(http: httpx.Client, session_id: str) -> None:
    http.post("/vfs/execute", json=_execute(session_id, "write_file", file_path="a.txt", content="1"))
    http.post("/ops/execute", json=_execute(session_id, "remember", value="v"))
    response = http.delete(f"/session/{session_id}")
    assert response.status_code == 200
    assert _json(response) == {"success": True, "deleted_files": 2}
    # Deleting again is fine: nothing left.
    assert _json(http.delete(f"/session/{session_id}")) == {"success": True, "deleted_files": 0}


# -- per-component routes ------------------------------------------------------------------
def test_component_execute_tools_health_components(http: httpx.Client, session_id: str) -> None:
    body = _json(
        http.post("/vfs/execute", json=_execute(session_id, "write_file", file_path="f", content="abc"))
    )
    assert body == {"success": True, "result": "Successfully wrote 3 bytes to f", "error_type": None}
    tools = _json(http.get("/vfs/tools"))["tools"]
    names = {t["name"] for t in tools}
    assert {"read_file", "write_file", "list_files", "delete_file"} <= names
    assert all("inputSchema" in t and "description" in t for t in tools)  # MCP tools/list shape
    assert _json(http.get("/ops/health")) == {"status": "healthy", "components": ["ops"]}
    details = _json(http.get("/ops/components"))
    assert details["components"] == ["ops"] and details["details"][0]["route"] == "/ops"


def test_tool_failures_are_http_200(http: httpx.Client, session_id: str) -> None:
    missing = http.post("/vfs/execute", json=_execute(session_id, "read_file", file_path="nope.txt"))
    assert missing.status_code == 200
    assert _json(missing)["error_type"] == "FileNotFound"
    unknown = http.post("/vfs/execute", json=_execute(session_id, "rm_rf"))
    assert unknown.status_code == 200 and _json(unknown)["error_type"] == "UnknownTool"
    bad_args = http.post("/vfs/execute", json=_execute(session_id, "read_file", file_path=3))
    assert bad_args.status_code == 200 and _json(bad_args)["error_type"] == "InvalidArguments"


def test_component_session_delete(http: httpx.Client, session_id: str) -> None:
    for name in ("a.txt", "b.txt", "c/d.txt"):
        http.post("/vfs/execute", json=_execute(session_id, "write_file", file_path=name, content=name))
    response = http.delete(f"/vfs/session/{session_id}")
    assert response.status_code == 200
    assert _json(response) == {"success": True, "deleted_files": 3}
    listing = _json(http.post("/vfs/execute", json=_execute(session_id, "list_files")))
    assert json.loads(listing["result"]) == [] or listing["result"] in ("", "[]", "No files")


def test_management_operations_reach_the_component(http: httpx.Client) -> None:
    posted = _json(http.post("/ops/stats?namespace=team-a&x=1", json={"k": [1, 2]}))
    assert posted == {"method": "POST", "body": {"k": [1, 2]}, "query": {"namespace": "team-a", "x": "1"}}
    got = _json(http.get("/ops/stats"))
    assert got["method"] == "GET" and got["body"] is None
    yaml_type = {"content-type": "application/yaml"}
    text = _json(http.post("/ops/stats", content=b"name: yaml-ish\n", headers=yaml_type))
    assert text["body"] == "name: yaml-ish\n"  # YAML (non-JSON text) reaches the component as text
    conflict = _error(http.post("/ops/conflict", json={}), 409, "Conflict")
    assert "conflicts" in conflict["error"]


def test_a_crashing_operation_answers_json_without_a_stack_trace(http: httpx.Client) -> None:
    no_body = {"content-type": "application/json"}
    crashed = _error(http.post("/ops/crash", headers=no_body), 500, "ComponentError")
    assert "Traceback" not in crashed["error"] and 'File "' not in crashed["error"]
    # A component answering NaN can't be encoded as JSON: still a JSON error.
    _error(http.post("/ops/nan", headers=no_body), 500, "ComponentError")


# -- unknown things -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "status", "error_type"),
    [
        ("POST", "/nope/execute", 404, "UnknownComponent"),
        ("GET", "/nope/tools", 404, "UnknownComponent"),
        ("POST", "/off/execute", 404, "UnknownComponent"),  # disabled in the manifest
        ("POST", "/vfs/frobnicate", 404, "UnknownOperation"),
        ("GET", "/nowhere", 404, "NotFound"),
        ("GET", "/", 404, "NotFound"),
        ("GET", "/vfs", 404, "NotFound"),
        ("GET", "/vfs/session/a/b", 404, "NotFound"),
        ("GET", "/vfs/execute", 405, "MethodNotAllowed"),
        ("POST", "/vfs/tools", 405, "MethodNotAllowed"),
        ("POST", "/health", 405, "MethodNotAllowed"),
        ("GET", "/session/abc", 405, "MethodNotAllowed"),
        ("POST", "/vfs/session/abc", 405, "MethodNotAllowed"),
    ],
)
def test_unknown_routes_components_operations(
    http: httpx.Client, method: str, path: str, status: int, error_type: str
) -> None:
    _error(http.request(method, path, json={} if method == "POST" else None), status, error_type)


def test_disabled_component_says_how_to_enable_it(http: httpx.Client) -> None:
    body = _error(http.get("/off/tools"), 404, "UnknownComponent")
    assert "--enable off" in body["error"]


# -- malformed requests ---------------------------------------------------------------------
MALFORMED: list[tuple[str, bytes]] = [
    ("bad JSON", b'{"session_id": "s",'),
    ("not UTF-8", b"\xff\xfe{}"),
    ("empty body", b""),
    ("JSON array", b"[1, 2]"),
    ("JSON string", b'"hello"'),
    ("missing session_id", b'{"tool": "read_file", "args": {}}'),
    ("missing tool", b'{"session_id": "s1", "args": {}}'),
    ("tool is a number", b'{"session_id": "s1", "tool": 3, "args": {}}'),
    ("tool is empty", b'{"session_id": "s1", "tool": "", "args": {}}'),
    ("args is a list", b'{"session_id": "s1", "tool": "read_file", "args": ["a"]}'),
    ("args is a string", b'{"session_id": "s1", "tool": "read_file", "args": "a"}'),
    ("session_id is a number", b'{"session_id": 7, "tool": "list_files", "args": {}}'),
    ("session_id has a slash", b'{"session_id": "a/b", "tool": "list_files", "args": {}}'),
    ("session_id has spaces", b'{"session_id": "a b", "tool": "list_files", "args": {}}'),
    ("session_id is dot-dot", b'{"session_id": "..", "tool": "list_files", "args": {}}'),
    ("session_id too long", b'{"session_id": "' + b"s" * 129 + b'", "tool": "list_files", "args": {}}'),
    ("session_id is empty", b'{"session_id": "", "tool": "list_files", "args": {}}'),
    ("trace is a string", b'{"session_id": "s1", "tool": "list_files", "args": {}, "trace": "yes"}'),
    ("namespace is bad", b'{"session_id": "s1", "tool": "list_files", "args": {}, "namespace": "../x"}'),
    ("mock-style name is a number", b'{"name": 5, "arguments": {}}'),
    (
        "nested too deeply",
        b'{"session_id": "s1", "tool": "echo", "args": {"text": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
    ),
]


@pytest.mark.parametrize("prefix", ["/vfs", ""])
@pytest.mark.parametrize(("case", "body"), MALFORMED, ids=[c for c, _ in MALFORMED])
def test_malformed_execute_is_400_json(http: httpx.Client, prefix: str, case: str, body: bytes) -> None:
    response = http.post(f"{prefix}/execute", content=body, headers={"content-type": "application/json"})
    error = _error(response, 400, "InvalidRequest")
    assert error["result"] == error["error"]


@pytest.mark.parametrize("session", ["..", "a b", "x" * 200, "semi;colon", "ü"])
def test_invalid_session_ids_in_paths_are_400(http: httpx.Client, session: str) -> None:
    from tracefabric.sandbox.api import path_segment

    _error(http.delete(f"/session/{path_segment(session)}"), 400, "InvalidRequest")
    _error(http.delete(f"/vfs/session/{path_segment(session)}"), 400, "InvalidRequest")


def test_oversized_body_is_400_json(manifest_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from .conftest import start_server

    server: ToolServer = start_server(manifest_path, tmp_path, max_body_bytes=64 * 1024)
    try:
        big = json.dumps(_execute("s1", "echo", text="x" * 100_000)).encode()
        json_type = {"content-type": "application/json"}
        with httpx.Client(base_url=server.url, trust_env=False, headers=json_type) as client:
            # Declared length over the limit: refused before the body is read.
            _error(client.post("/ops/execute", content=big), 400, "InvalidRequest")
            # No declared length (chunked): refused once the limit is passed.
            chunks = iter([big[i : i + 8192] for i in range(0, len(big), 8192)])
            response = client.post("/ops/execute", content=chunks)
            body = _error(response, 400, "InvalidRequest")
            assert "exceeds" in body["error"]
            # Right under the limit still works.
            small = client.post("/ops/execute", json=_execute("s1", "echo", text="y" * 60_000))
            assert small.status_code == 200 and _json(small)["result"] == "y" * 60_000
    finally:
        server.stop()


def test_raw_socket_garbage_never_crashes_the_server(url: str, http: httpx.Client) -> None:
    """Half-sent and nonsense requests: the server answers (or closes) and keeps serving."""
    parts = urlsplit(url)
    for payload in (
        b'POST /vfs/execute HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"a"',  # client hangs up early
        b"NONSENSE\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    ):
        with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            try:
                sock.recv(4096)
            except OSError:
                pass
    assert _json(http.get("/health"))["status"] == "healthy"


def test_connections_get_tcp_nodelay(server: ToolServer) -> None:
    """asyncio sets TCP_NODELAY only on sockets whose proto is TCP; without it every
    response waits ~40 ms for a delayed ACK (headers and body are separate writes)."""
    assert server._socket.proto == socket.IPPROTO_TCP
