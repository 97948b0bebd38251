"""Importing tools from a real MCP server (official SDK) over stdio and streamable HTTP,
`/mock/pull` done by the host within the manifest's allowlist, and the import CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tracefabric.mock import MCPImportError, MockTools, fetch_tools_http, fetch_tools_stdio
from tracefabric.sandbox import Sandbox

from . import mcp_catalog
from .conftest import STDIO_COMMAND, BackgroundServer

EXPECTED = [t["name"] for t in mcp_catalog.TOOLS]


def _cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracefabric.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Counting:
    """An ASGI wrapper that counts the HTTP requests reaching `app`."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


async def _redirect_app(scope: Any, receive: Any, send: Any) -> None:
    """Answers every request with a 307 to the URL in `_redirect_app.target`."""
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 307,
            "headers": [(b"location", _redirect_app.target.encode())],
        }  # type: ignore[attr-defined]
    )
    await send({"type": "http.response.body", "body": b""})


def test_stdio_and_http_give_the_same_tools_across_pages(mcp_url: str) -> None:
    over_stdio = fetch_tools_stdio(STDIO_COMMAND, timeout=60)
    over_http = fetch_tools_http(mcp_url, timeout=30)
    assert [t["name"] for t in over_stdio.tools] == EXPECTED
    assert over_stdio.pages == 3 and over_http.pages == 3  # 11 tools, 4 per page
    assert over_stdio.tools == over_http.tools
    assert over_stdio.server == {"name": "catalog-test", "version": "1.2.3"}
    charge = next(t for t in over_http.tools if t["name"] == "charge_card")
    assert charge["inputSchema"]["properties"]["amount"]["properties"]["currency"]["enum"] == ["EUR", "USD"]
    assert charge["outputSchema"]["required"] == ["charge_id", "status"]
    assert charge["annotations"] == {"destructiveHint": True, "openWorldHint": True}
    assert set(charge) <= {"name", "title", "description", "inputSchema", "outputSchema", "annotations"}


def test_import_failures_are_clear() -> None:
    with pytest.raises(MCPImportError) as refused:
        fetch_tools_http("http://127.0.0.1:9/mcp", timeout=5)
    assert refused.value.kind == "connect" and "cannot connect" in refused.value.message
    with pytest.raises(MCPImportError) as missing:
        fetch_tools_stdio("no-such-mcp-server-xyz --flag", timeout=5)
    assert missing.value.kind == "connect" and "command not found" in missing.value.message
    with pytest.raises(MCPImportError) as silent:
        fetch_tools_stdio([sys.executable, "-c", "import time; time.sleep(60)"], timeout=1)
    assert silent.value.kind == "timeout"


def test_pull_loads_the_same_tools_as_import(sandbox: Sandbox, mcp_url: str) -> None:
    pulled = MockTools(sandbox, "pulled").pull(mcp_url)
    assert pulled["loaded"] == 11 and pulled["pages"] == 3 and pulled["server"]["name"] == "catalog-test"
    imported = fetch_tools_stdio(STDIO_COMMAND, timeout=60)
    MockTools(sandbox, "imported").load(imported.document())
    via_pull = MockTools(sandbox, "pulled").tools()
    assert [t["name"] for t in via_pull] == EXPECTED
    assert via_pull == MockTools(sandbox, "imported").tools()
    # The pulled tools are real tools now: validated and answered.
    mock = MockTools(sandbox, "pulled")
    bad = mock.call("charge_card", {"customer": {"id": "c1"}, "amount": {"value": 5, "currency": "GBP"}}, "s")
    assert (
        bad.error_type == "InvalidArguments"
        and "amount.currency" in bad.result
        and "(rule: enum)" in bad.result
    )
    mock.add_fixture(
        "charge_card", {"charge_id": "ch_1", "status": "succeeded"}, match={"amount.currency": "EUR"}
    )
    ok = mock.call("charge_card", {"customer": {"id": "c1"}, "amount": {"value": 5, "currency": "EUR"}}, "s")
    assert json.loads(ok.result) == {"charge_id": "ch_1", "status": "succeeded"}


@pytest.fixture
def elsewhere() -> Iterator[tuple[Counting, str]]:
    """The catalog on 127.0.0.2: loopback, but not an origin the default manifest grants."""
    app = Counting(mcp_catalog.http_app())
    with BackgroundServer(app, host="127.0.0.2") as server:
        yield app, f"{server.url}/mcp"


def test_pull_only_reaches_granted_hosts(sandbox: Sandbox, elsewhere: tuple[Counting, str]) -> None:
    app, url = elsewhere
    router = sandbox.transport.router  # type: ignore[attr-defined]
    for target in (url, "http://169.254.169.254/latest/meta-data", "https://127.0.0.1:443/mcp"):
        status, body = router.handle("POST", "/mock/pull", json.dumps({"url": target}).encode())
        assert status == 403 and body["error_type"] == "CapabilityDenied", body
        assert "allowed_outbound_hosts" in body["error"]
    assert app.requests == 0  # refused before anything was sent


def test_pull_does_not_follow_a_redirect_off_the_allowlist(
    sandbox: Sandbox, elsewhere: tuple[Counting, str]
) -> None:
    app, url = elsewhere
    _redirect_app.target = url  # type: ignore[attr-defined]
    with BackgroundServer(_redirect_app) as bouncer:
        router = sandbox.transport.router  # type: ignore[attr-defined]
        status, body = router.handle("POST", "/mock/pull", json.dumps({"url": f"{bouncer.url}/mcp"}).encode())
    assert status in (403, 502) and body["success"] is False
    assert app.requests == 0
    assert MockTools(sandbox).tools() == []


def test_pull_errors_are_json(sandbox: Sandbox) -> None:
    router = sandbox.transport.router  # type: ignore[attr-defined]
    status, body = router.handle("POST", "/mock/pull", b'{"url": "http://127.0.0.1:9/mcp", "timeout": 5}')
    assert (
        status == 502 and body["error_type"] == "ServiceUnavailable" and "MCP server error" in body["error"]
    )


def test_import_tools_cli_writes_json_and_yaml(tmp_path: Path, mcp_url: str) -> None:
    out_json, out_yaml = tmp_path / "tools.json", tmp_path / "tools.yaml"
    done = _cli("tools", "import", "--transport", "stdio", "--command", STDIO_COMMAND, "-o", str(out_json))
    assert done.returncode == 0, done.stderr
    assert (
        "Imported 11 tools from catalog-test, 3 pages" in done.stdout
        and f"Saved 11 tools to {out_json}" in done.stdout
    )
    alias = _cli(
        "import-tools", "--transport", "http", "--endpoint", mcp_url, "--timeout", "20", "-o", str(out_yaml)
    )
    assert alias.returncode == 0, alias.stderr
    from_json = json.loads(out_json.read_text())
    assert from_json == yaml.safe_load(out_yaml.read_text())
    assert [t["name"] for t in from_json["tools"]] == EXPECTED
    printed = _cli("tools", "import", "--transport", "http", "--endpoint", mcp_url)
    assert printed.returncode == 0 and json.loads(printed.stdout) == from_json  # no -o: the file on stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--transport", "stdio"], 2, "--command is required for stdio transport"),
        (["--transport", "http"], 2, "--endpoint is required for http transport"),
        (["--transport", "http", "-e", "http://x", "--header", "nope"], 2, "Invalid header format: nope"),
        (["--transport", "stdio", "-c", "x", "--namespace", "n"], 2, "--namespace needs --server"),
        (
            ["--transport", "http", "-e", "http://127.0.0.1:9/mcp", "--timeout", "3"],
            1,
            "Failed to import tools",
        ),
    ],
)
def test_import_tools_cli_errors(args: list[str], code: int, message: str) -> None:
    done = _cli("tools", "import", *args, timeout=60)
    assert done.returncode == code and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
