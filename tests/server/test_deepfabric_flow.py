"""The flow DeepFabric's Spin client drives, byte for byte on the wire (see docs/server.md).

DeepFabric's client posts `{"session_id", "tool", "args"}` to `{endpoint}/{component}/execute`
(or `{"name", "arguments"}` to a configured `tool_execute_path`), reads `success`, `result`
and `error_type` from HTTP 200 answers and `error` from others, and ends each sample's
session with `DELETE {endpoint}/session/{id}`.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx


async def _spin_like_session(endpoint: str, files: dict[str, str]) -> dict[str, object]:
    """One sample's life, as DeepFabric's client lives it (a fresh uuid4 session)."""
    session_id = str(uuid.uuid4())
    async with httpx.AsyncClient(timeout=30.0, trust_env=False) as client:

        async def execute(tool: str, args: dict[str, object]) -> dict[str, object]:
            payload = {"session_id": session_id, "tool": tool, "args": args}
            response = await client.post(f"{endpoint}/vfs/execute", json=payload)
            assert response.status_code == 200
            return response.json()

        for path, content in files.items():  # seed_files
            assert (await execute("write_file", {"file_path": path, "content": content}))["success"] is True
        listing = await execute("list_files", {})
        reads = {path: (await execute("read_file", {"file_path": path}))["result"] for path in files}
        cleanup = await client.delete(f"{endpoint}/session/{session_id}")
        after = await execute("read_file", {"file_path": next(iter(files))})
    return {"listing": listing, "reads": reads, "cleanup": cleanup, "after": after}


def test_write_read_list_then_delete_session(url: str) -> None:
    outcome = asyncio.run(
        _spin_like_session(url, {"hello.txt": "Hello, World!", "src/main.py": "print(1)\n"})
    )
    assert outcome["listing"] == {
        "success": True,
        "result": '["hello.txt", "src/main.py"]',
        "error_type": None,
    }
    assert outcome["reads"] == {"hello.txt": "Hello, World!", "src/main.py": "print(1)\n"}
    cleanup = outcome["cleanup"]
    assert isinstance(cleanup, httpx.Response) and cleanup.status_code == 200
    assert cleanup.json() == {"success": True, "deleted_files": 2}
    # After DELETE /session/{id} the file is gone.
    assert outcome["after"] == {
        "success": False,
        "result": "File not found: hello.txt",
        "error_type": "FileNotFound",
    }


def test_sessions_are_isolated(url: str) -> None:
    async def main() -> list[dict[str, object]]:
        return await asyncio.gather(
            *(_spin_like_session(url, {"same.txt": f"content of sample {i}"}) for i in range(8))
        )

    for i, outcome in enumerate(asyncio.run(main())):
        assert outcome["reads"] == {"same.txt": f"content of sample {i}"}
        assert json.loads(outcome["listing"]["result"]) == ["same.txt"]  # type: ignore[index]


def test_isolation_seen_from_a_second_session(http: httpx.Client) -> None:
    a, b = f"a-{uuid.uuid4().hex}", f"b-{uuid.uuid4().hex}"
    http.post(
        "/vfs/execute",
        json={"session_id": a, "tool": "write_file", "args": {"file_path": "x", "content": "A"}},
    )
    seen = http.post(
        "/vfs/execute", json={"session_id": b, "tool": "read_file", "args": {"file_path": "x"}}
    ).json()
    assert seen["error_type"] == "FileNotFound"
    assert (
        http.post("/vfs/execute", json={"session_id": b, "tool": "list_files", "args": {}}).json()["result"]
        == "[]"
    )


def test_per_component_session_delete_reports_deleted_files(http: httpx.Client) -> None:
    session_id = str(uuid.uuid4())
    for name in ("a.txt", "b.txt", "c.txt"):
        args = {"file_path": name, "content": name}
        http.post("/vfs/execute", json={"session_id": session_id, "tool": "write_file", "args": args})
    response = http.delete(f"/vfs/session/{session_id}")
    assert response.status_code == 200 and response.json() == {"success": True, "deleted_files": 3}
    listing = http.post(
        "/vfs/execute", json={"session_id": session_id, "tool": "list_files", "args": {}}
    ).json()
    assert listing["result"] == "[]"


def test_error_shapes_the_client_reads(http: httpx.Client) -> None:
    # A failed tool: HTTP 200 with success false and an error_type (the client's observation text).
    failed = http.post(
        "/vfs/execute", json={"session_id": "s-1", "tool": "read_file", "args": {"file_path": "missing.txt"}}
    )
    assert failed.status_code == 200 and failed.json()["error_type"] == "FileNotFound"
    # A malformed request: non-200 with a JSON body carrying `error` (never a non-JSON body).
    bad = http.post("/vfs/execute", content=b"{oops", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and isinstance(bad.json()["error"], str)


def test_mock_style_body_without_session(http: httpx.Client) -> None:
    """`tool_execute_path` mode: `{"name", "arguments"}`, result answered as parsed JSON."""
    response = http.post("/vfs/execute", json={"name": "list_files", "arguments": {}})
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["result"] == []  # a throwaway session: nothing in it
    echoed = http.post("/ops/execute", json={"name": "echo", "arguments": {"text": "plain text"}}).json()
    assert echoed["result"] == "plain text"
