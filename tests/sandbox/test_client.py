"""The Sandbox client (in-process transport): results, errors and the wire format."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracefabric.errors import SandboxError
from tracefabric.sandbox import Sandbox


@pytest.fixture
def sandbox(data_dir: Path):
    with Sandbox.in_process(data_dir=data_dir) as client:
        yield client


def test_call_and_end_session(sandbox: Sandbox) -> None:
    result = sandbox.call("vfs", "write_file", {"file_path": "a.txt", "content": "hi"}, "s1")
    assert result.success and result.error_type is None
    traced = sandbox.call("vfs", "read_file", {"file_path": "a.txt"}, "s1", trace=True)
    assert traced.result == "hi" and traced.trace and len(traced.trace["state_digest"]) == 16
    assert sandbox.end_session("s1") == 1
    assert sandbox.call("vfs", "read_file", {"file_path": "a.txt"}, "s1").error_type == "FileNotFound"


def test_health_components_tools(sandbox: Sandbox) -> None:
    health = sandbox.health()
    assert health["status"] == "healthy" and "vfs" in health["components"]
    vfs = next(c for c in sandbox.components() if c["name"] == "vfs")
    assert vfs["route"] == "/vfs" and vfs["key_value_stores"] == ["default"]
    assert vfs["allowed_outbound_hosts"] == [] and vfs["enabled"] is True
    assert "read_file" in {t["name"] for t in sandbox.tools("vfs")}


def test_requests_that_cannot_be_served_raise(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError) as unknown:
        sandbox.call("nope", "x", {}, "s1")
    assert unknown.value.status == 404
    with pytest.raises(SandboxError) as bad_session:
        sandbox.call("vfs", "list_files", {}, "bad id/..")
    assert bad_session.value.error_type == "InvalidRequest" and bad_session.value.status == 400


async def test_async_interface(sandbox: Sandbox) -> None:
    result = await sandbox.acall("vfs", "write_file", {"file_path": "x", "content": "y"}, "as1")
    assert result.success
    assert await sandbox.aend_session("as1") == 1


def test_router_answers_json_for_bad_input(sandbox: Sandbox) -> None:
    router = sandbox.transport.router  # type: ignore[attr-defined]
    status, body = router.handle("POST", "/vfs/execute", b"{not json")
    assert status == 400 and body["error_type"] == "InvalidRequest"
    status, body = router.handle("POST", "/vfs/execute", b'{"session_id": "s", "tool": 3}')
    assert status == 400 and body["error_type"] == "InvalidRequest"
    status, body = router.handle(
        "POST", "/vfs/execute", b'{"session_id": "s", "tool": "read_file", "args": []}'
    )
    assert status == 400
    status, body = router.handle("GET", "/nowhere")
    assert status == 404 and body["error_type"] == "NotFound"


async def test_seed_session_starts_a_session_with_files(sandbox: Sandbox) -> None:
    sandbox.call("vfs", "write_file", {"file_path": "leftover.txt", "content": "old"}, "seeded")
    await sandbox.aseed_session("seeded", {"a.py": "print(1)\n", "docs/readme.md": "# hi\n"})
    assert sandbox.call("vfs", "list_files", {}, "seeded").result == '["a.py", "docs/readme.md"]'
    router = sandbox.transport.router  # type: ignore[attr-defined]
    status, body = router.handle("POST", "/vfs/session/seeded/seed", b'{"files": {"x": 1}}')
    assert status == 400 and body["error_type"] == "InvalidRequest"
    status, body = router.handle("GET", "/vfs/session/seeded/seed")
    assert status == 405
    status, body = router.handle("POST", "/vfs/session/seeded/seed", b'{"files": {"../../etc/x": "no"}}')
    assert status == 200 and body["success"] is False and body["error_type"] == "PermissionDenied"
