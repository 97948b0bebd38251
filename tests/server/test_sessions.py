"""Session TTL: abandoned sessions lose their instances and their stored data."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tracefabric.sandbox import Sandbox
from tracefabric.sandbox.client import InProcessTransport
from tracefabric.sandbox.host import SandboxHost
from tracefabric.server import SessionTracker, parse_duration

from .conftest import start_server


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _sandbox_with_tracker(
    manifest: Path, data_dir: Path, ttl: float, clock: Clock
) -> tuple[Sandbox, SessionTracker]:
    host = SandboxHost(manifest, data_dir=data_dir)
    tracker = SessionTracker(host, ttl, clock=clock)
    transport = InProcessTransport(host)
    transport.router.sessions = tracker
    return Sandbox(transport), tracker


def test_idle_sessions_are_swept_with_their_data(manifest_path: Path, tmp_path: Path) -> None:
    clock = Clock()
    sandbox, tracker = _sandbox_with_tracker(manifest_path, tmp_path, 60, clock)
    with sandbox:
        host = sandbox.transport.host  # type: ignore[attr-defined]
        sandbox.call("vfs", "write_file", {"file_path": "old.txt", "content": "x"}, "idle")
        sandbox.call("ops", "remember", {"value": "v"}, "idle")
        clock.now += 30
        sandbox.call("vfs", "write_file", {"file_path": "new.txt", "content": "y"}, "busy")
        assert tracker.sweep() == []  # nobody idle for 60 s yet
        clock.now += 31  # "idle" unused for 61 s, "busy" for 31 s
        assert host.live_sessions() == 3
        assert tracker.sweep() == ["idle"]
        assert host.live_sessions() == 1  # the idle session's instances (vfs and ops) are gone...
        assert host.kv.scopes("default", "s:") == ["s:busy"]  # ...and so is its data
        assert sandbox.call("vfs", "read_file", {"file_path": "new.txt"}, "busy").result == "y"
        # Using a session keeps it alive.
        clock.now += 50
        sandbox.call("vfs", "list_files", {}, "busy")
        clock.now += 50
        assert tracker.sweep() == []
        clock.now += 11
        assert tracker.sweep() == ["busy"]
        assert tracker.tracked() == 0


def test_deleted_sessions_are_forgotten(manifest_path: Path, tmp_path: Path) -> None:
    clock = Clock()
    sandbox, tracker = _sandbox_with_tracker(manifest_path, tmp_path, 60, clock)
    with sandbox:
        sandbox.call("vfs", "write_file", {"file_path": "a", "content": "x"}, "s1")
        assert tracker.tracked() == 1
        sandbox.end_session("s1")
        assert tracker.tracked() == 0


def test_sessions_left_by_an_earlier_run_are_adopted(manifest_path: Path, tmp_path: Path) -> None:
    with Sandbox.in_process(manifest_path, data_dir=tmp_path) as earlier:
        earlier.call("vfs", "write_file", {"file_path": "left.txt", "content": "x"}, "left-over")
    clock = Clock()
    host = SandboxHost(manifest_path, data_dir=tmp_path)
    try:
        tracker = SessionTracker(host, 60, clock=clock)
        assert tracker.adopt_stored() == 1
        assert tracker.sweep() == []
        clock.now += 61
        assert tracker.sweep() == ["left-over"]
        assert host.kv.scopes("default", "s:") == []
    finally:
        host.close()


def test_the_server_sweeps_by_itself(manifest_path: Path, tmp_path: Path) -> None:
    server = start_server(manifest_path, tmp_path, session_ttl_s=0.5)
    try:
        with httpx.Client(base_url=server.url, trust_env=False) as http:
            args = {"file_path": "a.txt", "content": "abandoned"}
            http.post("/vfs/execute", json={"session_id": "abandoned", "tool": "write_file", "args": args})
            assert server.host.kv.scopes("default", "s:") == ["s:abandoned"]
            deadline = time.monotonic() + 30
            while server.host.kv.scopes("default", "s:") and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.host.kv.scopes("default", "s:") == []
            assert server.host.live_sessions() == 0
            read = http.post(
                "/vfs/execute",
                json={"session_id": "abandoned", "tool": "read_file", "args": {"file_path": "a.txt"}},
            )
            assert read.json()["error_type"] == "FileNotFound"
    finally:
        server.stop()


def test_ttl_zero_turns_the_sweep_off(manifest_path: Path, tmp_path: Path) -> None:
    server = start_server(manifest_path, tmp_path, session_ttl_s=0)
    try:
        assert server.sessions is None and "session TTL: off" in server.startup_line()
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("30m", 1800), ("2h", 7200), ("1d", 86400), ("0", 0), ("1.5m", 90)],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "-5", "5 weeks", "m"])
def test_parse_duration_refuses_nonsense(text: str) -> None:
    from tracefabric.errors import ConfigError

    with pytest.raises(ConfigError, match="--session-ttl"):
        parse_duration(text)
