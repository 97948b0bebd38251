"""Web pages can't use the token-less loopback server: DNS rebinding (a foreign Host), cross-site
requests (a foreign Origin, Sec-Fetch-Site) and form/text bodies are refused with JSON 403,
against a real server on 127.0.0.1, while ordinary clients (httpx, curl: no Origin) work."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tracefabric.asgi.guard import RequestGuard, normal_origin, split_host
from tracefabric.server import ToolServer

from .conftest import start_server

ATTACKER = "http://attacker.example"


def _execute(session_id: str, tool: str, **args: Any) -> dict[str, Any]:
    return {"session_id": session_id, "tool": tool, "args": args}


def _refused(response: httpx.Response, error_type: str) -> dict[str, Any]:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["connection"] == "close"
    body = response.json()
    assert body["success"] is False and body["error_type"] == error_type, body
    assert isinstance(body["error"], str) and body["error"]
    return body


def _files(http: httpx.Client, session_id: str) -> str:
    listing = http.post("/vfs/execute", json=_execute(session_id, "list_files"))
    assert listing.status_code == 200, listing.text
    return listing.json()["result"]


def test_the_attack_from_the_issue_is_refused(
    server: ToolServer, http: httpx.Client, session_id: str
) -> None:
    """A page on attacker.example, rebound to 127.0.0.1, posting text/plain: nothing is written."""
    body = b'{"session_id": "%s", "tool": "write_file", "args": {"file_path": "pwned", "content": "x"}}' % (
        session_id.encode()
    )
    headers = {
        "Host": f"attacker.example:{server.port}",
        "Origin": ATTACKER,
        "Content-Type": "text/plain;charset=UTF-8",
    }
    _refused(http.post("/vfs/execute", content=body, headers=headers), "HostNotAllowed")
    assert "pwned" not in _files(http, session_id)


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:{port}",
        "attacker.example",
        "localhost.attacker.example:{port}",
        "127.0.0.1.nip.io:{port}",
    ],
)
def test_a_foreign_host_is_refused(
    server: ToolServer, http: httpx.Client, host: str, session_id: str
) -> None:
    headers = {"Host": host.format(port=server.port)}
    body = _refused(
        http.post(
            "/vfs/execute",
            json=_execute(session_id, "write_file", file_path="f", content="x"),
            headers=headers,
        ),
        "HostNotAllowed",
    )
    assert "rebinding" in body["error"]
    _refused(
        http.get("/health", headers=headers), "HostNotAllowed"
    )  # reads too: a rebound page reads answers
    assert _files(http, session_id) == "[]"


@pytest.mark.parametrize("host", ["127.0.0.1:{other}", "localhost", "127.0.0.1:", "127.0.0.1:x", "[::1", ""])
def test_the_right_name_on_the_wrong_port_or_malformed_is_refused(
    server: ToolServer, http: httpx.Client, host: str
) -> None:
    _refused(http.get("/health", headers={"Host": host.format(other=server.port + 1)}), "HostNotAllowed")


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_loopback_names_are_accepted(server: ToolServer, http: httpx.Client, host: str) -> None:
    response = http.get("/health", headers={"Host": host.format(port=server.port)})
    assert response.status_code == 200 and response.json()["status"] == "healthy"


@pytest.mark.parametrize(
    "origin", [ATTACKER, "http://localhost:5173", "null", "http://127.0.0.1:1", "https://127.0.0.1"]
)
def test_a_foreign_origin_is_refused(http: httpx.Client, origin: str, session_id: str) -> None:
    payload = _execute(session_id, "write_file", file_path="f", content="x")
    _refused(http.post("/vfs/execute", json=payload, headers={"Origin": origin}), "OriginNotAllowed")
    _refused(http.get("/vfs/tools", headers={"Origin": origin}), "OriginNotAllowed")
    assert _files(http, session_id) == "[]"


def test_a_cross_site_request_without_origin_is_refused(http: httpx.Client) -> None:
    """An <img> or a no-cors GET carries no Origin, but the browser says where it comes from."""
    for site in ("cross-site", "same-site"):
        _refused(http.get("/health", headers={"Sec-Fetch-Site": site}), "OriginNotAllowed")
    for site in ("same-origin", "none"):  # the server's own pages; the user typing the URL
        assert http.get("/health", headers={"Sec-Fetch-Site": site}).status_code == 200


def test_the_servers_own_origin_is_allowed(server: ToolServer, http: httpx.Client) -> None:
    response = http.get("/health", headers={"Origin": server.url})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
    ],
)
def test_a_post_that_is_not_json_is_refused(
    http: httpx.Client, content_type: str | None, session_id: str
) -> None:
    """The content types a browser may send cross-site without asking first (and none at all)."""
    body = b'{"session_id": "%s", "tool": "write_file", "args": {"file_path": "f", "content": "x"}}' % (
        session_id.encode()
    )
    request = http.build_request("POST", "/vfs/execute", content=body)
    if content_type is None:
        request.headers.pop("content-type", None)
    else:
        request.headers["content-type"] = content_type
    body_json = _refused(http.send(request), "ContentTypeNotAllowed")
    assert "application/json" in body_json["error"]
    assert _files(http, session_id) == "[]"


@pytest.mark.parametrize(
    "content_type", ["application/json", "Application/JSON; charset=utf-8", "application/x+json"]
)
def test_json_posts_work(http: httpx.Client, content_type: str, session_id: str) -> None:
    body = b'{"session_id": "%s", "tool": "list_files", "args": {}}' % session_id.encode()
    response = http.post("/vfs/execute", content=body, headers={"content-type": content_type})
    assert response.status_code == 200 and response.json()["success"] is True


def test_a_normal_client_works(server: ToolServer, session_id: str) -> None:
    """httpx and the tracefabric client send no Origin and a Host built from the URL."""
    from tracefabric.sandbox import Sandbox

    with httpx.Client(base_url=server.url, trust_env=False) as client:
        wrote = client.post(
            "/vfs/execute", json=_execute(session_id, "write_file", file_path="a", content="1")
        )
        assert wrote.status_code == 200 and wrote.json()["success"] is True
    with Sandbox.connect(server.url) as sandbox:
        assert sandbox.call("vfs", "read_file", {"file_path": "a"}, session_id=session_id).result == "1"
        sandbox.end_session(session_id)


def test_refusals_close_the_connection_and_the_server_keeps_serving(server: ToolServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: attacker.example\r\n\r\n")
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 403") and b'"HostNotAllowed"' in answer


def _read_until_closed(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


# -- configuration ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def configured(manifest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolServer]:
    server = start_server(
        manifest_path,
        tmp_path_factory.mktemp("configured"),
        allowed_origins=("http://localhost:5173",),
        allowed_hosts=("tools.example", "pinned.example:8443"),
    )
    yield server
    server.stop()


def test_allowed_origins_and_hosts_are_configurable(configured: ToolServer) -> None:
    with httpx.Client(base_url=configured.url, trust_env=False) as http:
        assert http.get("/health", headers={"Origin": "http://localhost:5173"}).status_code == 200
        assert http.get("/health", headers={"Origin": "http://LOCALHOST:5173/"}).status_code == 200
        _refused(http.get("/health", headers={"Origin": "http://localhost:5174"}), "OriginNotAllowed")
        _refused(http.get("/health", headers={"Origin": "https://localhost:5173"}), "OriginNotAllowed")
        for host in ("tools.example", f"tools.example:{configured.port}", "pinned.example:8443"):
            assert http.get("/health", headers={"Host": host}).status_code == 200, host
        _refused(http.get("/health", headers={"Host": "pinned.example:8444"}), "HostNotAllowed")
        _refused(http.get("/health", headers={"Host": "other.example"}), "HostNotAllowed")


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_a_server_bound_to_ipv6_loopback_accepts_its_host_forms(manifest_path: Path, tmp_path: Path) -> None:
    from tracefabric.server import ServerConfig

    config = ServerConfig(host="::1", port=0, manifest=manifest_path, data_dir=tmp_path)
    server = ToolServer(config, announce=lambda line: None).start()
    try:
        assert server.url == f"http://[::1]:{server.port}"
        with httpx.Client(base_url=server.url, trust_env=False) as http:
            assert http.get("/health").status_code == 200  # Host: [::1]:port, from the URL
            assert http.get("/health", headers={"Host": f"localhost:{server.port}"}).status_code == 200
            _refused(
                http.get("/health", headers={"Host": f"attacker.example:{server.port}"}), "HostNotAllowed"
            )
    finally:
        server.stop()


def test_bad_configuration_is_one_clear_error(manifest_path: Path, tmp_path: Path) -> None:
    from tracefabric.errors import ConfigError
    from tracefabric.server import ServerConfig

    with pytest.raises(ConfigError, match="--allowed-origin: 'localhost:5173' is not an origin"):
        ServerConfig(allowed_origins=("localhost:5173",))
    with pytest.raises(ConfigError, match="--allowed-host: 'a b' is not a host name"):
        ServerConfig(allowed_hosts=("a b",))


# -- the checker on its own (the trace viewer reuses it) -------------------------------------
@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("localhost:3000", ("localhost", 3000)),
        ("LocalHost.:3000", ("localhost", 3000)),
        ("127.0.0.1", ("127.0.0.1", None)),
        ("[::1]:8080", ("::1", 8080)),
        ("[::1]", ("::1", None)),
        ("::1", None),
        ("[::1]x", None),
        ("[evil]:80", None),
        ("a:b", None),
        ("a:99999", None),
        ("user@host", None),
        ("", None),
    ],
)
def test_host_header_parsing(value: str, parsed: tuple[str, int | None] | None) -> None:
    assert split_host(value) == parsed


def test_origin_normalisation() -> None:
    assert normal_origin("http://LocalHost:5173/") == "http://localhost:5173"
    assert normal_origin("https://example.com") == "https://example.com:443"
    assert normal_origin("http://[::1]:3000") == "http://[::1]:3000"
    assert normal_origin("null") == "null"
    for bad in ("localhost:5173", "ftp://x", "http://x/path", "http://u@x", "http://x:99999"):
        assert normal_origin(bad) is None, bad


def _headers(**values: str) -> list[tuple[bytes, bytes]]:
    return [(k.replace("_", "-").encode(), v.encode()) for k, v in values.items()]


def test_a_wildcard_bind_accepts_ip_literals_and_its_names_but_not_other_names() -> None:
    guard = RequestGuard("0.0.0.0", 3000, allowed_hosts=["tools.lan"])
    for host in (
        "192.168.1.20:3000",
        "[fe80::1]:3000",
        "localhost:3000",
        "tools.lan:3000",
        socket.gethostname() + ":3000",
    ):
        assert guard.check("GET", _headers(host=host)) is None, host
    refusal = guard.check("GET", _headers(host="rebind.attacker.example:3000"))
    assert refusal is not None and refusal.error_type == "HostNotAllowed"


def test_host_checking_can_be_turned_off_but_origins_still_count() -> None:
    guard = RequestGuard("127.0.0.1", 3000, allowed_hosts=["*"])
    assert guard.check("GET", _headers(host="anything.example")) is None
    refusal = guard.check(
        "POST", _headers(host="anything.example", origin=ATTACKER, content_type="application/json")
    )
    assert refusal is not None and refusal.error_type == "OriginNotAllowed"


def test_several_host_or_origin_headers_are_refused() -> None:
    guard = RequestGuard("127.0.0.1", 3000)
    twice = [(b"host", b"127.0.0.1:3000"), (b"host", b"attacker.example")]
    assert guard.check("GET", twice) is not None
    origins = [(b"host", b"127.0.0.1:3000"), (b"origin", b"http://127.0.0.1:3000"), (b"origin", b"null")]
    assert guard.check("GET", origins) is not None
    assert guard.check("GET", []) is not None  # no Host at all (HTTP/1.0)
