"""`tracefabric mock ...` locally and against a real tool server, and the mock over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tracefabric.server import ServerConfig, ToolServer

from .conftest import ORDER, STDIO_COMMAND, WEATHER


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracefabric.cli.main", *args], capture_output=True, text=True, timeout=180
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`tracefabric serve` with the built-in manifest, on 127.0.0.1."""
    config = ServerConfig(host="127.0.0.1", port=0, data_dir=tmp_path_factory.mktemp("server-data"))
    srv = ToolServer(config, announce=lambda line: None).start()
    yield srv.url
    srv.stop()


def test_mock_cli_in_process_on_the_data_dir(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "kv")
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps({"tools": [WEATHER, ORDER]}))
    data = tmp_path / "data.yaml"
    data.write_text(
        yaml.safe_dump(
            {
                "mockResponses": {
                    "get_weather": {
                        "defaultResponse": {"city": "{{city}}", "temp": 14},
                        "fixtures": [{"match": {"city": "Paris"}, "response": {"temp": 21}}],
                    }
                }
            }
        )
    )
    local = ["--data-dir", data_dir, "--namespace", "cli"]
    loaded = _cli("mock", "load", str(tools), str(data), *local)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded 2 tools into namespace 'cli'" in loaded.stdout
    assert "loaded 0 tools, 1 responses, 1 fixtures" in loaded.stdout
    added = _cli("mock", "fixture", "add", "get_weather", "--glob", "city=R*", "-r", '{"temp": 30}', *local)
    assert added.returncode == 0 and json.loads(added.stdout)["total_fixtures"] == 2
    listing = json.loads(_cli("mock", "list", "--json", *local).stdout)
    assert [(t["name"], t["mock"]) for t in listing["tools"]] == [
        ("get_weather", {"fixtures": 2, "mockResponse": True}),
        ("create_order", {"fixtures": 0, "mockResponse": False}),
    ]
    table = _cli("mock", "list", *local)
    assert table.returncode == 0 and "get_weather" in table.stdout and "destructive" in table.stdout
    called = _cli(
        "tools",
        "call",
        "mock",
        "get_weather",
        "--args",
        '{"city": "Rome"}',
        "--data-dir",
        data_dir,
        "--namespace",
        "cli",
    )
    assert called.returncode == 0 and json.loads(json.loads(called.stdout)["result"]) == {"temp": 30}
    # Errors: one line, the right exit code, no traceback.
    missing = _cli("mock", "load", str(tmp_path / "nope.json"), *local)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("tools:\n  - name: x\n    inputSchema: [1]\n")
    rejected = _cli("mock", "load", str(bad), *local)
    assert rejected.returncode == 2
    assert f"error: {bad}: tools[0].inputSchema: must be a JSON Schema object" in rejected.stderr
    wrong = _cli(
        "mock", "fixture", "add", "create_order", "-r", '{"order_id": 1, "status": "created"}', *local
    )
    assert wrong.returncode == 1 and "order_id: 1 is not of type 'string'" in wrong.stderr
    assert "Traceback" not in rejected.stderr + wrong.stderr + missing.stderr


def test_mock_over_the_real_http_server(server: str, tmp_path: Path, mcp_url: str) -> None:
    out = tmp_path / "tools.yaml"
    imported = _cli(
        "import-tools", "--transport", "stdio", "--command", STDIO_COMMAND, "-o", str(out),
        "--spin", server, "--namespace", "shop",
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert f"Pushed 11 tools to tool server at {server} (namespace 'shop')" in imported.stdout
    with httpx.Client(base_url=server, timeout=60, trust_env=False) as http:
        pulled = http.post("/mock/pull", json={"url": mcp_url, "namespace": "pulled"})
        assert pulled.status_code == 200 and pulled.json()["loaded"] == 11
        shop = http.get("/mock/tools", params={"namespace": "shop"}).json()["tools"]
        assert shop == http.get("/mock/tools", params={"namespace": "pulled"}).json()["tools"]
        assert [t["name"] for t in shop] == [t["name"] for t in yaml.safe_load(out.read_text())["tools"]]
        fixture = _cli(
            "mock", "fixture", "add", "get_weather", "--match", "city=Paris", "-r", '{"temp": 21}',
            "--server", server, "--namespace", "shop",
        )  # fmt: skip
        assert fixture.returncode == 0, fixture.stderr
        answer = http.post(
            "/mock/execute", json={"name": "get_weather", "arguments": {"city": "Paris"}, "namespace": "shop"}
        ).json()
        assert answer["result"] == {"temp": 21} and answer["success"] is True
        faults = _cli(
            "mock", "faults", "--set", '{"seed": 3, "rate_limited": 1}', "--server", server, "-n", "shop"
        )
        assert faults.returncode == 0, faults.stderr
        limited = http.post(
            "/mock/execute",
            json={"session_id": "h1", "tool": "get_weather", "args": {"city": "Paris"}, "namespace": "shop"},
        ).json()
        assert limited["error_type"] == "RateLimited" and limited["meta"]["injected_fault"] == "RateLimited"
        for raw in (b"{bad", b'{"name": 3, "response": 1}', b"[]"):
            response = http.post(
                "/mock/add-fixture", content=raw, headers={"content-type": "application/json"}
            )
            assert response.status_code == 400 and response.json()["error_type"] == "InvalidRequest"
        listing = _cli("mock", "list", "--json", "--server", server, "--namespace", "shop")
        assert json.loads(listing.stdout)["faults"]["default"] == {"rate_limited": 1.0}
