"""Concurrency over HTTP: many clients at once lose nothing; a runaway call blocks nobody."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tracefabric.sandbox import Sandbox
from tracefabric.server import ToolServer

CLIENTS = 32
WRITES = 12


def test_32_concurrent_clients_lose_no_write(url: str) -> None:
    """32 keep-alive clients write at once, each to its own session and all to a shared one."""
    shared = f"shared-{uuid.uuid4().hex[:8]}"
    start = threading.Barrier(CLIENTS)

    def client(index: int) -> list[int]:
        own = f"own-{index}-{uuid.uuid4().hex[:8]}"
        statuses = []
        with httpx.Client(base_url=url, timeout=60, trust_env=False) as http:
            start.wait()
            for n in range(WRITES):
                for session, path in ((own, f"f{n}.txt"), (shared, f"c{index}/f{n}.txt")):
                    payload = {
                        "session_id": session,
                        "tool": "write_file",
                        "args": {"file_path": path, "content": f"{index}:{n}"},
                    }
                    response = http.post("/vfs/execute", json=payload)
                    statuses.append(response.status_code)
                    assert response.json()["success"] is True, response.text
            listing = http.post(
                "/vfs/execute", json={"session_id": own, "tool": "list_files", "args": {}}
            ).json()
            assert sorted(json.loads(listing["result"])) == sorted(f"f{n}.txt" for n in range(WRITES))
            for n in range(WRITES):
                read = http.post(
                    "/vfs/execute",
                    json={"session_id": own, "tool": "read_file", "args": {"file_path": f"f{n}.txt"}},
                ).json()
                assert read["result"] == f"{index}:{n}"
        return statuses

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = [s for result in pool.map(client, range(CLIENTS)) for s in result]
    assert statuses == [200] * (CLIENTS * WRITES * 2)

    with Sandbox.connect(url) as sandbox:
        files = json.loads(sandbox.call("vfs", "list_files", {}, shared).result)
        assert len(files) == CLIENTS * WRITES
        expected = {f"c{i}/f{n}.txt" for i in range(CLIENTS) for n in range(WRITES)}
        assert set(files) == expected
        for i in (0, CLIENTS // 2, CLIENTS - 1):
            assert sandbox.call("vfs", "read_file", {"file_path": f"c{i}/f3.txt"}, shared).result == f"{i}:3"
        assert sandbox.end_session(shared) == CLIENTS * WRITES


def test_a_runaway_call_does_not_block_a_fast_one(server: ToolServer) -> None:
    """A tool looping forever holds one worker until its deadline (2 s) stops it; meanwhile
    other calls are served: every fast call finishes while the runaway is still running."""
    events: list[str] = []
    runaway_result: dict[str, object] = {}

    def runaway() -> None:
        with httpx.Client(base_url=server.url, timeout=60, trust_env=False) as http:
            response = http.post("/ops/execute", json={"session_id": "runaway-1", "tool": "spin", "args": {}})
        runaway_result.update(response.json())
        events.append("runaway done")

    thread = threading.Thread(target=runaway)
    thread.start()
    # Wait until the runaway call is executing: its session has its instance.
    ops = server.host.runtime("ops")
    deadline = time.monotonic() + 30
    while "runaway-1" not in ops.live_sessions() and time.monotonic() < deadline:
        time.sleep(0.005)
    with httpx.Client(base_url=server.url, timeout=60, trust_env=False) as http:
        for n in range(5):
            fast = http.post(
                "/ops/execute", json={"session_id": f"fast-{n}", "tool": "echo", "args": {"text": str(n)}}
            )
            assert fast.json() == {"success": True, "result": str(n), "error_type": None}
            args = {"file_path": "x", "content": "y"}
            written = http.post(
                "/vfs/execute", json={"session_id": "fast", "tool": "write_file", "args": args}
            )
            assert written.json()["success"] is True
            assert http.get("/vfs/tools").status_code == 200
            events.append(f"fast {n}")
    thread.join(60)
    assert events == [*(f"fast {n}" for n in range(5)), "runaway done"]  # all fast calls beat the runaway
    assert runaway_result["success"] is False and runaway_result["error_type"] == "Timeout"
    assert "time limit (2000 ms)" in str(runaway_result["result"])
    # The runaway's instance was discarded; the component still serves that session.
    with Sandbox.connect(server.url) as sandbox:
        assert sandbox.call("ops", "echo", {"text": "alive"}, "runaway-1").result == "alive"
