"""Agent samples against a DeepFabric Spin tools-sdk style server: it has only `/vfs/execute`
and `DELETE /vfs/session/{id}` (no tool list, no root routes, no seed route), so the
generator falls back to DeepFabric's four VFS tools and plain write_file seeding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from tests.agent.conftest import agent_config
from tests.loopback import serve
from tests.scripted import agent_responder, provider, read_jsonl
from tracefabric import generate


class _SpinVFS(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, dict[str, str]]] = {}
    seen: ClassVar[list[str]] = []

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.seen.append(f"POST {self.path}")
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        if self.path != "/vfs/execute":
            self._answer(404, {"error": "Not found"})
            return
        files = self.files.setdefault(body["session_id"], {})
        tool, args = body["tool"], body["args"]
        if tool == "write_file":
            files[args["file_path"]] = args["content"]
            self._answer(
                200,
                {
                    "success": True,
                    "result": f"Successfully wrote {len(args['content'])} bytes to {args['file_path']}",
                },
            )
        elif tool == "read_file" and args["file_path"] in files:
            self._answer(200, {"success": True, "result": files[args["file_path"]]})
        elif tool == "read_file":
            self._answer(
                200,
                {
                    "success": False,
                    "result": f"File not found: {args['file_path']}",
                    "error_type": "FileNotFound",
                },
            )
        elif tool == "list_files":
            self._answer(200, {"success": True, "result": json.dumps(sorted(files))})
        else:
            self._answer(
                200, {"success": False, "result": f"Unknown tool: {tool}", "error_type": "UnknownTool"}
            )

    def do_GET(self) -> None:
        self.seen.append(f"GET {self.path}")
        self._answer(404, {"error": "Not found"})

    def do_DELETE(self) -> None:
        self.seen.append(f"DELETE {self.path}")
        if self.path.startswith("/vfs/session/"):
            removed = self.files.pop(self.path.rsplit("/", 1)[1], {})
            self._answer(200, {"success": True, "deleted_files": len(removed)})
        else:
            self._answer(404, {"error": "Not found"})

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def spin_server() -> Iterator[str]:
    _SpinVFS.files, _SpinVFS.seen = {}, []
    with serve(_SpinVFS) as url:
        yield url


def test_agent_samples_against_a_deepfabric_tools_sdk_server(tmp_path: Path, spin_server: str) -> None:
    plan = [[("list_files", {})], [("read_file", {"file_path": "config.json"})], {"final": "debug is on"}]
    config = agent_config(tmp_path, samples=2, endpoint=spin_server)
    summary = generate(config, provider_factory=provider(agent_responder(plan)))
    records = read_jsonl(summary.dataset)
    assert summary.status == "completed" and len(records) == 2
    offered = {t["function"]["name"] for t in records[0]["tools"]}
    assert offered == {"read_file", "write_file", "list_files", "delete_file"}  # DeepFabric's VFS tools
    listing, config_json = (m["content"] for m in records[0]["messages"] if m["role"] == "tool")
    assert json.loads(listing) == ["config.json", "src/app.py"]  # seeded with write_file calls
    assert config_json == '{"debug": true}\n'
    assert _SpinVFS.files == {}  # every session was deleted through the per-component route
    assert any(line.startswith("DELETE /vfs/session/") for line in _SpinVFS.seen)
