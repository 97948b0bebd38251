"""Input edge cases over real HTTP and in-process alike: text that is not Unicode, ids with a
trailing newline, 405's Allow header, the limits the OpenAPI document states, slow clients
(slow loris) and HTTP too malformed for any app to see."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tracefabric.errors import SandboxError
from tracefabric.sandbox import Sandbox
from tracefabric.server import ToolServer

from .conftest import start_server

SURROGATE_BODY = (
    b'{"session_id": "s1", "tool": "write_file", "args": {"file_path": "x\\ud800", "content": "a"}}'
)


@pytest.fixture(scope="module")
def in_process(manifest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with Sandbox.in_process(manifest_path, data_dir=tmp_path_factory.mktemp("in-process")) as sandbox:
        yield sandbox


def _error(response: httpx.Response, status: int, error_type: str) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert response.status_code == status, body
    assert body["success"] is False and body["error_type"] == error_type, body
    return body


# -- text that is not Unicode ----------------------------------------------------------------
def test_a_lone_surrogate_in_an_argument_is_400_invalid_arguments_over_http(http: httpx.Client) -> None:
    for prefix in ("/vfs", ""):
        response = http.post(
            f"{prefix}/execute", content=SURROGATE_BODY, headers={"content-type": "application/json"}
        )
        body = _error(response, 400, "InvalidArguments")
        assert "file_path" in body["error"] and "Unicode" in body["error"]
    # The same through the client over HTTP, and nothing was written.
    with Sandbox.connect(str(http.base_url)) as sandbox:
        with pytest.raises(SandboxError) as raised:
            sandbox.call("vfs", "write_file", {"file_path": "x\ud800", "content": "a"}, session_id="s1")
        assert raised.value.error_type == "InvalidArguments" and raised.value.status == 400
        assert sandbox.call("vfs", "list_files", {}, session_id="s1").result == "[]"


def test_a_lone_surrogate_is_the_same_error_in_process(http: httpx.Client, in_process: Sandbox) -> None:
    over_http = http.post(
        "/vfs/execute", content=SURROGATE_BODY, headers={"content-type": "application/json"}
    )
    with pytest.raises(SandboxError) as raised:
        in_process.call("vfs", "write_file", {"file_path": "x\ud800", "content": "a"}, session_id="s1")
    assert (raised.value.status, raised.value.error_type, raised.value.message) == (
        over_http.status_code,
        over_http.json()["error_type"],
        over_http.json()["error"],
    )
    # Deeper in the arguments, or in a key: the same answer, naming where.
    with pytest.raises(SandboxError, match=r"extra.*not valid Unicode") as nested:
        in_process.call("ops", "echo", {"text": "ok", "extra": {"\udc00": 1}}, session_id="s1")
    assert nested.value.error_type == "InvalidArguments"


def test_a_lone_surrogate_in_a_management_body_is_400(http: httpx.Client) -> None:
    body = b'{"note": "\\udfff"}'
    response = http.post("/ops/stats", content=body, headers={"content-type": "application/json"})
    _error(response, 400, "InvalidRequest")


def test_a_tool_name_with_a_surrogate_is_an_unknown_tool_not_a_crash(http: httpx.Client) -> None:
    body = b'{"session_id": "s1", "tool": "read\\ud800", "args": {}}'
    response = http.post("/vfs/execute", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200 and response.json()["error_type"] == "UnknownTool"


# -- trailing newlines -----------------------------------------------------------------------
@pytest.mark.parametrize("session_id", ["s1\n", "s1\r\n", "\ns1", "s1\x00"])
def test_session_ids_with_a_trailing_newline_are_refused(
    http: httpx.Client, in_process: Sandbox, session_id: str
) -> None:
    payload = {"session_id": session_id, "tool": "list_files", "args": {}}
    _error(http.post("/vfs/execute", json=payload), 400, "InvalidRequest")
    _error(http.post("/execute", json=payload), 400, "InvalidRequest")
    from tracefabric.sandbox.api import path_segment

    _error(http.delete(f"/session/{path_segment(session_id)}"), 400, "InvalidRequest")
    _error(http.delete(f"/vfs/session/{path_segment(session_id)}"), 400, "InvalidRequest")
    with pytest.raises(SandboxError) as raised:
        in_process.call("vfs", "list_files", {}, session_id=session_id)
    assert raised.value.error_type == "InvalidRequest" and raised.value.status == 400


@pytest.mark.parametrize("namespace", ["team\n", "team\r\n"])
def test_namespaces_with_a_trailing_newline_are_refused(http: httpx.Client, namespace: str) -> None:
    payload = {"session_id": "s1", "tool": "list_files", "args": {}, "namespace": namespace}
    _error(http.post("/vfs/execute", json=payload), 400, "InvalidRequest")
    _error(http.get("/vfs/tools", params={"namespace": namespace}), 400, "InvalidRequest")


# -- 405 --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/vfs/execute", "POST"),
        ("PUT", "/execute", "POST"),
        ("POST", "/health", "GET"),
        ("DELETE", "/vfs/tools", "GET"),
        ("GET", "/session/abc", "DELETE"),
        ("GET", "/vfs/session/abc/seed", "POST"),
    ],
)
def test_405_carries_an_allow_header(http: httpx.Client, method: str, path: str, allow: str) -> None:
    response = http.request(method, path, json={} if method in ("POST", "PUT") else None)
    body = _error(response, 405, "MethodNotAllowed")
    assert response.headers["allow"] == allow and body["allow"] == [allow]


# -- the OpenAPI document states the limits ---------------------------------------------------
def test_openapi_states_patterns_lengths_and_limits(http: httpx.Client, server: ToolServer) -> None:
    import re

    document = http.get("/openapi.json").json()
    session = document["paths"]["/session/{session_id}"]["delete"]["parameters"][0]["schema"]
    assert session["maxLength"] == 128 and session["minLength"] == 1
    assert re.fullmatch(session["pattern"], "s-1.a:b") and not re.fullmatch(session["pattern"], "s1\n")
    request = document["components"]["schemas"]["ExecuteRequest"]["properties"]
    assert request["session_id"] == session and request["namespace"]["maxLength"] == 64
    namespace = document["paths"]["/vfs/tools"]["get"]["parameters"][0]["schema"]
    assert namespace["pattern"] == request["namespace"]["pattern"]
    body = document["paths"]["/vfs/execute"]["post"]["requestBody"]["description"]
    assert f"{server.config.max_body_bytes:,} bytes" in body and "64 levels" in body
    responses = document["paths"]["/vfs/execute"]["post"]["responses"]
    assert {"400", "403", "405", "408"} <= set(responses)
    assert document["x-limits"]["max_instances"] == server.config.max_instances


# -- slow clients ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def impatient(manifest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolServer]:
    """A server with short deadlines: a slow client is cut off soon after it stalls."""
    server = start_server(
        manifest_path, tmp_path_factory.mktemp("impatient"), header_timeout_s=0.5, body_timeout_s=0.5
    )
    yield server
    server.stop()


def _wait_for_close(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection. The socket's own timeout
    (generous) fails the test if the server never closes it."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _connect(server: ToolServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.settimeout(60)  # generous: the server must close long before
    return sock


def _timeout_answer(answer: bytes) -> dict[str, Any]:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer
    assert b"content-type: application/json" in head.lower()
    payload = json.loads(body)
    assert payload["error_type"] == "RequestTimeout"
    return payload


def test_headers_that_never_finish_are_timed_out(impatient: ToolServer) -> None:
    with _connect(impatient) as sock:
        sock.sendall(f"POST /vfs/execute HTTP/1.1\r\nHost: 127.0.0.1:{impatient.port}\r\nX-Slow: ".encode())
        payload = _timeout_answer(_wait_for_close(sock))
    assert "headers" in payload["error"]


def test_a_body_that_never_finishes_is_timed_out(impatient: ToolServer) -> None:
    head = (
        f"POST /vfs/execute HTTP/1.1\r\nHost: 127.0.0.1:{impatient.port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    with _connect(impatient) as sock:
        sock.sendall(head.encode() + b'{"session_id": ')
        payload = _timeout_answer(_wait_for_close(sock))
    assert "body" in payload["error"]


def test_a_connection_that_never_sends_anything_is_closed(impatient: ToolServer) -> None:
    with _connect(impatient) as sock:
        _timeout_answer(_wait_for_close(sock))


def test_a_slow_client_does_not_stop_the_others(impatient: ToolServer) -> None:
    with _connect(impatient) as stalled, httpx.Client(base_url=impatient.url, trust_env=False) as http:
        stalled.sendall(b"GET /health HTTP/1.1\r\n")
        for _ in range(3):
            assert http.get("/health").status_code == 200
        _timeout_answer(_wait_for_close(stalled))
    # A kept-alive client that pauses between requests is not a slow one (uvicorn's keep-alive
    # timeout governs idle connections); each request still completes in time.
    with httpx.Client(base_url=impatient.url, trust_env=False) as http:
        assert http.get("/health").status_code == 200
        assert (
            http.post("/vfs/execute", json={"session_id": "k", "tool": "list_files", "args": {}}).status_code
            == 200
        )


# -- HTTP too malformed for the app ------------------------------------------------------------
@pytest.mark.parametrize(
    "request_bytes",
    [
        b"NONSENSE\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"GET /he\x00alth HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /health HTTP/1.1\r\nBad Header Name: x\r\n\r\n",
    ],
)
def test_malformed_http_gets_a_json_400(server: ToolServer, request_bytes: bytes) -> None:
    with _connect(server) as sock:
        sock.sendall(request_bytes)
        answer = _wait_for_close(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer
    assert b"content-type: application/json" in head.lower()
    payload = json.loads(body)
    assert payload["error_type"] == "InvalidRequest" and "malformed HTTP" in payload["error"]
