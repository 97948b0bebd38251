"""Runaway guests are stopped (CPU, wall clock, memory); the host and other sessions go on."""

from __future__ import annotations

import threading

from tracefabric.sandbox.host import SandboxHost


def test_infinite_loop_is_stopped(host: SandboxHost) -> None:
    response = host.execute("runaway", "spin", {}, "s1")
    assert response["success"] is False
    assert response["error_type"] == "Timeout"
    # The trapped instance was discarded; the same session gets a fresh one.
    assert host.execute("runaway", "spin", {}, "s1")["error_type"] == "Timeout"


def test_python_guest_loop_is_stopped_by_fuel(host: SandboxHost) -> None:
    response = host.execute("probe", "spin", {}, "s1")
    assert response["error_type"] == "Timeout"
    assert "compute budget" in response["result"] or "time limit" in response["result"]
    assert host.execute("probe", "put", {"key": "k", "value": "v"}, "s1")["success"]


def test_unbounded_allocation_is_stopped(host: SandboxHost) -> None:
    python_guest = host.execute("probe", "hog", {}, "s1")
    assert python_guest["error_type"] == "ResourceExhausted"
    assert "memory" in python_guest["result"]
    wat_guest = host.execute("runaway", "hog", {}, "s1")
    assert wat_guest["success"] is False
    assert wat_guest["error_type"] in ("ResourceExhausted", "ComponentError")
    assert "memory" in wat_guest["result"]


def test_a_concurrent_normal_call_still_succeeds(host: SandboxHost) -> None:
    host.execute("vfs", "write_file", {"file_path": "a.txt", "content": "fine"}, "calm")
    results: dict[str, dict] = {}

    def runaway() -> None:
        results["runaway"] = host.execute("runaway", "spin", {}, "wild")

    thread = threading.Thread(target=runaway)
    thread.start()
    reads = [host.execute("vfs", "read_file", {"file_path": "a.txt"}, "calm") for _ in range(20)]
    thread.join()
    assert all(r["result"] == "fine" for r in reads)
    assert results["runaway"]["error_type"] == "Timeout"
