"""The component through the tool server's wire format (`/github/...`) and the `Sandbox` client,
as `tracefabric serve --enable github` serves it."""

from __future__ import annotations

import json
from pathlib import Path

from tracefabric.sandbox import Sandbox
from tracefabric.sandbox.api import Router
from tracefabric.sandbox.host import SandboxHost

from .fake_github import FakeGitHub
from .helpers import ALLOWED, TOKEN, HostFactory


def test_router_serves_github_when_enabled(host: SandboxHost) -> None:
    router = Router(host)
    status, body = router.handle("GET", "/github/tools")
    assert status == 200 and len(body["tools"]) == 15
    payload = {
        "tool": "gh_get_repository",
        "args": {"owner": "octo", "repo": "hello"},
        "session_id": "router-1",
    }
    status, body = router.handle("POST", "/github/execute", json.dumps(payload).encode())
    assert status == 200 and body["success"] is True
    assert json.loads(body["result"])["full_name"] == "octo/hello"
    # DeepFabric's mock-style body ({name, arguments}) works too, and the root /execute routes by tool name.
    mcp = {"name": "gh_get_repository", "arguments": {"owner": "evil", "repo": "secret"}}
    status, body = router.handle("POST", "/execute", json.dumps(mcp).encode())
    assert status == 200 and body["error_type"] == "RepoNotAllowed"
    status, body = router.handle("GET", "/components")
    detail = next(d for d in body["details"] if d["name"] == "github")
    assert detail["deterministic"] is False and detail["allowed_outbound_hosts"] == ["{{ api_base }}"]


def test_status_operation_reports_configuration_without_the_token(
    make_host: HostFactory, fake: FakeGitHub
) -> None:
    status, body = Router(make_host()).handle("GET", "/github/status")
    assert status == 200
    assert body == {
        "component": "github",
        "mode": "real_api",
        "api_base": fake.url,
        "token_configured": True,
        "allowed_repos": ["acme/*", "octo/hello"],
        "writes_enabled": False,
    }
    assert TOKEN not in json.dumps(body)
    _, body = Router(make_host(github_token="", allowed_repos="", allow_writes="true")).handle(
        "GET", "/github/status"
    )
    assert body["token_configured"] is False and body["allowed_repos"] == "all"
    assert body["writes_enabled"] is False  # writes need named repositories


def test_github_is_off_by_default(tmp_path: Path) -> None:
    with SandboxHost(data_dir=tmp_path, environ={}, pool_size=0) as host:
        assert "github" not in host.component_names()
        status, body = Router(host).handle(
            "POST",
            "/github/execute",
            json.dumps({"tool": "gh_get_repository", "args": {}, "session_id": "s"}).encode(),
        )
    assert status == 404 and body["error_type"] == "UnknownComponent"
    assert "--enable github" in body["error"]


def test_sandbox_client_in_process(fake: FakeGitHub, tmp_path: Path) -> None:
    variables = {"api_base": fake.url, "github_token": TOKEN, "allowed_repos": ALLOWED}
    with Sandbox.in_process(data_dir=tmp_path, enable=["github"], variables=variables, environ={}) as sandbox:
        result = sandbox.call(
            "github", "gh_list_branches", {"owner": "octo", "repo": "hello"}, session_id="c1"
        )
        assert result.success and "main" in [b["name"] for b in json.loads(result.result)["branches"]]
        assert result.meta["rate_limit"]["remaining"] == 4999
        denied = sandbox.call(
            "github", "gh_create_issue", {"owner": "octo", "repo": "hello", "title": "x"}, "c1"
        )
        assert not denied.success and denied.error_type == "WriteNotAllowed"


def test_token_from_the_environment(fake: FakeGitHub, tmp_path: Path) -> None:
    """GITHUB_TOKEN (or TRACEFABRIC_VARIABLE_GITHUB_TOKEN / SPIN_VARIABLE_GITHUB_TOKEN) is read, and scrubbed."""
    for name in ("GITHUB_TOKEN", "SPIN_VARIABLE_GITHUB_TOKEN", "TRACEFABRIC_VARIABLE_GITHUB_TOKEN"):
        environ = {name: TOKEN, "TRACEFABRIC_VARIABLE_API_BASE": fake.url}
        with SandboxHost(data_dir=tmp_path, enable=["github"], environ=environ, pool_size=0) as host:
            response = host.execute(
                "github", "gh_get_repository", {"owner": "octo", "repo": "hello"}, "env-1"
            )
            assert response["success"], (name, response)
            assert fake.requests[-1].headers["authorization"] == f"Bearer {TOKEN}"
            assert host.scrub(TOKEN) == "[REDACTED]"
