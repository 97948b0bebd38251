"""Who may call: the bind policy (non-loopback needs a token) and the bearer check on every request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tracefabric.errors import ConfigError, SandboxError
from tracefabric.sandbox import Sandbox
from tracefabric.server import ServerConfig, ToolServer, check_bind_policy, is_loopback
from tracefabric.server.auth import TOKEN_ENV, BearerToken

from .conftest import start_server

TOKEN = "test-token-0123456789abcdef"


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("192.168.1.2", False),
        ("fe80::1%eth0", False),
        ("example.com", False),
        ("127.0.0.1.example.com", False),
    ],
)
def test_is_loopback(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def test_bind_policy() -> None:
    check_bind_policy("127.0.0.1", None)  # loopback: no token needed
    check_bind_policy("::1", None)
    check_bind_policy("0.0.0.0", TOKEN)
    for address in ("0.0.0.0", "::", "10.1.2.3"):
        with pytest.raises(ConfigError, match="needs a token") as refused:
            check_bind_policy(address, None)
        assert TOKEN_ENV in str(refused.value)
        with pytest.raises(ConfigError, match="needs a token"):
            check_bind_policy(address, "")
    with pytest.raises(ConfigError, match="at least 16 characters"):
        check_bind_policy("0.0.0.0", "short")


def test_server_refuses_a_public_bind_without_token(
    monkeypatch: pytest.MonkeyPatch, manifest_path: Path
) -> None:
    """Refused before anything listens (the policy is checked before binding)."""
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with pytest.raises(ConfigError, match="needs a token"):
        ToolServer(ServerConfig(host="0.0.0.0", port=0, manifest=manifest_path))


def test_bearer_token_check() -> None:
    check = BearerToken(TOKEN)
    assert check.accepts(f"Bearer {TOKEN}".encode())
    assert check.accepts(f"bearer {TOKEN}".encode())  # the scheme is case-insensitive
    for header in (
        None,
        b"",
        TOKEN.encode(),
        b"Bearer",
        b"Bearer ",
        f"Basic {TOKEN}".encode(),
        b"Bearer wrong",
    ):
        assert not check.accepts(header), header
    assert not check.accepts(f"Bearer {TOKEN}x".encode())
    assert not check.accepts(f"Bearer {TOKEN[:-1]}".encode())


@pytest.fixture
def guarded(manifest_path: Path, tmp_path: Path) -> Iterator[ToolServer]:
    server = start_server(manifest_path, tmp_path, token=TOKEN)
    yield server
    server.stop()


ROUTES = [
    ("GET", "/health"),
    ("GET", "/components"),
    ("GET", "/openapi.json"),
    ("GET", "/vfs/tools"),
    ("GET", "/vfs/health"),
    ("POST", "/vfs/execute"),
    ("POST", "/execute"),
    ("DELETE", "/session/s1"),
    ("DELETE", "/vfs/session/s1"),
    ("POST", "/ops/stats"),
    ("GET", "/nowhere"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_needs_the_token(guarded: ToolServer, method: str, path: str) -> None:
    body = {"session_id": "s1", "tool": "list_files", "args": {}}
    with httpx.Client(base_url=guarded.url, trust_env=False) as http:
        for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN}):
            response = http.request(method, path, json=body if method == "POST" else None, headers=headers)
            assert response.status_code == 401
            assert response.headers["content-type"] == "application/json"
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert response.json()["error_type"] == "Unauthorized"
            assert TOKEN not in response.text
        allowed = http.request(
            method,
            path,
            json=body if method == "POST" else None,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert allowed.status_code != 401


def test_no_work_is_done_without_the_token(guarded: ToolServer) -> None:
    with httpx.Client(base_url=guarded.url, trust_env=False) as http:
        payload = {"session_id": "s1", "tool": "write_file", "args": {"file_path": "a", "content": "b"}}
        assert http.post("/vfs/execute", json=payload).status_code == 401
    with Sandbox.connect(guarded.url, token=TOKEN) as sandbox:
        assert sandbox.call("vfs", "read_file", {"file_path": "a"}, "s1").error_type == "FileNotFound"


def test_the_client_sends_the_token(guarded: ToolServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with Sandbox.connect(guarded.url) as anonymous, pytest.raises(SandboxError) as refused:
        anonymous.call("vfs", "list_files", {}, "s1")
    assert (refused.value.error_type, refused.value.status) == ("Unauthorized", 401)
    with Sandbox.connect(guarded.url, token=TOKEN) as sandbox:
        assert sandbox.call("vfs", "list_files", {}, "s1").result == "[]"
        assert sandbox.health()["status"] == "healthy"
    monkeypatch.setenv(TOKEN_ENV, TOKEN)  # the environment variable works for both sides
    with Sandbox.connect(guarded.url) as sandbox:
        assert sandbox.call("vfs", "list_files", {}, "s1").success


def test_token_from_the_environment_guards_the_server(
    manifest_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    server = start_server(manifest_path, tmp_path)
    try:
        assert server.token == TOKEN
        assert "bearer token required" in server.startup_line() and TOKEN not in server.startup_line()
        with httpx.Client(base_url=server.url, trust_env=False) as http:
            assert http.get("/health").status_code == 401
            document = http.get("/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}).json()
            assert document["security"] == [{"bearer": []}]
    finally:
        server.stop()
