"""In-process, child-process and HTTP clients: the same interface, results and errors.

One call sequence runs against `Sandbox.in_process(...)`, `Sandbox.subprocess(...)` (two
child processes, sessions sharded between them) and `Sandbox.connect(url)` (a real server
on 127.0.0.1); the transcripts must be identical, error cases included. The behaviour tests
below run once per transport.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tracefabric.errors import SandboxError
from tracefabric.sandbox import Sandbox
from tracefabric.sandbox.client import InProcessTransport
from tracefabric.sandbox.client.http import HTTPTransport
from tracefabric.sandbox.host import SandboxHost

from .conftest import start_server

Step = Callable[[Sandbox], Any]


def _in_process(manifest: Path, data_dir: Path) -> tuple[Sandbox, Callable[[], None]]:
    sandbox = Sandbox(InProcessTransport(SandboxHost(manifest, data_dir=data_dir)))
    return sandbox, sandbox.close


def _over_http(manifest: Path, data_dir: Path) -> tuple[Sandbox, Callable[[], None]]:
    server = start_server(manifest, data_dir)
    sandbox = Sandbox.connect(server.url)

    def close() -> None:
        sandbox.close()
        server.stop()

    return sandbox, close


def _in_child_processes(manifest: Path, data_dir: Path) -> tuple[Sandbox, Callable[[], None]]:
    sandbox = Sandbox.subprocess(manifest, data_dir=data_dir, processes=2)
    return sandbox, sandbox.close


TRANSPORTS = {"in_process": _in_process, "http": _over_http, "subprocess": _in_child_processes}


@pytest.fixture(params=sorted(TRANSPORTS))
def sandbox(request: pytest.FixtureRequest, manifest_path: Path, tmp_path: Path) -> Iterator[Sandbox]:
    client, close = TRANSPORTS[request.param](manifest_path, tmp_path / "kv")
    yield client
    close()


# -- the shared call sequence --------------------------------------------------------------
def _trace(result: Any) -> Any:
    """Results as data; timing (which differs run to run) left out of traces."""
    data = result.to_json()
    if data.get("trace"):
        data["trace"] = {k: v for k, v in data["trace"].items() if k in ("executed", "state_digest")}
    return data


async def _async_steps(sandbox: Sandbox) -> list[Any]:
    written = await sandbox.acall("vfs", "write_file", {"file_path": "async.txt", "content": "A"}, "s-async")
    ended = await sandbox.aend_session("s-async")
    return [written.to_json(), ended]


SEQUENCE: list[tuple[str, Step]] = [
    ("health", lambda s: s.health()),
    ("components", lambda s: s.components()),
    ("tools vfs", lambda s: s.tools("vfs")),
    ("tools ops in a namespace", lambda s: s.tools("ops", namespace="team-a")),
    ("write", lambda s: s.call("vfs", "write_file", {"file_path": "a.txt", "content": "héllo ✓ 🚀"}, "s1")),
    ("write nested", lambda s: s.call("vfs", "write_file", {"file_path": "d/b.txt", "content": "b"}, "s1")),
    ("read", lambda s: s.call("vfs", "read_file", {"file_path": "a.txt"}, "s1")),
    ("read traced", lambda s: _trace(s.call("vfs", "read_file", {"file_path": "a.txt"}, "s1", trace=True))),
    ("list", lambda s: s.call("vfs", "list_files", {}, "s1")),
    ("list other session", lambda s: s.call("vfs", "list_files", {}, "s2")),
    ("read missing", lambda s: s.call("vfs", "read_file", {"file_path": "zzz"}, "s1")),
    ("unknown tool", lambda s: s.call("vfs", "rm_rf", {}, "s1")),
    ("bad args", lambda s: s.call("vfs", "read_file", {"file_path": 12}, "s1")),
    ("missing args", lambda s: s.call("vfs", "write_file", None, "s1")),
    ("echo with namespace", lambda s: s.call("ops", "echo", {"text": "t"}, "s1", namespace="team-a")),
    ("unknown component", lambda s: s.call("nope", "x", {}, "s1")),
    ("disabled component", lambda s: s.call("off", "list_files", {}, "s1")),
    ("session id with slash", lambda s: s.call("vfs", "list_files", {}, "a/b")),
    ("session id dot-dot", lambda s: s.call("vfs", "list_files", {}, "..")),
    ("session id number", lambda s: s.call("vfs", "list_files", {}, 7)),  # type: ignore[arg-type]
    ("empty session id", lambda s: s.call("vfs", "list_files", {}, "")),
    ("bad namespace", lambda s: s.call("vfs", "list_files", {}, "s1", namespace="../up")),
    ("NaN argument", lambda s: s.call("ops", "echo", {"text": float("nan")}, "s1")),
    ("unserialisable argument", lambda s: s.call("ops", "echo", {"text": object()}, "s1")),
    ("tool not a string", lambda s: s.call("vfs", 5, {}, "s1")),  # type: ignore[arg-type]
    ("manage post", lambda s: s.manage("ops", "stats", {"k": [1, 2]}, namespace="team-a")),
    ("manage get", lambda s: s.manage("ops", "stats", method="GET")),
    ("manage text body", lambda s: s.manage("ops", "stats", "a: 1\n")),
    ("manage conflict", lambda s: s.manage("ops", "conflict", {})),
    ("manage unknown", lambda s: s.manage("ops", "no-such-op", {})),
    ("manage crash", lambda s: s.manage("ops", "crash")),
    ("manage odd name", lambda s: s.manage("ops", "../health")),
    ("end vfs session", lambda s: s.end_session("s1", "vfs")),
    ("read after end", lambda s: s.call("vfs", "read_file", {"file_path": "a.txt"}, "s1")),
    ("end session", lambda s: s.end_session("s1")),
    ("end bad session", lambda s: s.end_session("no spaces allowed")),
    ("end dot-dot session", lambda s: s.end_session("..")),
    ("end slash session", lambda s: s.end_session("a/b", "vfs")),
    ("end in unknown component", lambda s: s.end_session("s1", "nope")),
    ("async", lambda s: asyncio.run(_async_steps(s))),
]


def _run(sandbox: Sandbox) -> list[tuple[str, Any]]:
    transcript: list[tuple[str, Any]] = []
    for name, step in SEQUENCE:
        try:
            value = step(sandbox)
        except SandboxError as exc:
            outcome: Any = ("raised", type(exc).__name__, exc.error_type, exc.message, exc.status)
        else:
            outcome = ("returned", value.to_json() if hasattr(value, "to_json") else value)
        transcript.append((name, outcome))
    return transcript


def test_the_same_sequence_gives_identical_results(manifest_path: Path, tmp_path: Path) -> None:
    transcripts = {}
    for name, make in TRANSPORTS.items():
        sandbox, close = make(manifest_path, tmp_path / name)
        try:
            transcripts[name] = _run(sandbox)
        finally:
            close()
    in_process, http = transcripts["in_process"], transcripts["http"]
    for (step, a), (_, b) in zip(in_process, http, strict=True):
        assert a == b, f"step {step!r}: in-process {a!r} != HTTP {b!r}"
    # ...and what both say is right (identical wrong answers would pass the loop above).
    results = dict(in_process)
    assert results["read"] == ("returned", {"success": True, "result": "héllo ✓ 🚀", "error_type": None})
    assert results["list"][1]["result"] == '["a.txt", "d/b.txt"]'
    assert results["list other session"][1]["result"] == "[]"
    assert results["read missing"][1]["error_type"] == "FileNotFound"
    assert results["unknown component"][:3] == ("raised", "SandboxError", "UnknownComponent")
    assert results["unknown component"][4] == 404
    assert results["disabled component"][2] == "UnknownComponent"
    for step in ("session id with slash", "session id dot-dot", "session id number", "empty session id"):
        assert results[step][2:] == (
            "InvalidRequest",
            "session_id must be 1-128 characters of letters, digits, '.', '_', ':' or '-'",
            400,
        ), step
    assert results["NaN argument"][2] == "InvalidRequest"
    assert results["manage conflict"] == (
        "raised",
        "SandboxError",
        "Conflict",
        "the operation conflicts with the current state",
        409,
    )
    assert results["manage unknown"][2::2] == ("UnknownOperation", 404)
    assert results["manage odd name"][4] == 404
    assert results["end vfs session"] == ("returned", 2)
    assert results["read after end"][1]["error_type"] == "FileNotFound"
    assert results["end bad session"][2::2] == ("InvalidRequest", 400)
    assert results["end dot-dot session"][2::2] == ("InvalidRequest", 400)
    assert results["end slash session"][2::2] == ("InvalidRequest", 400)
    assert results["async"] == (
        "returned",
        [{"success": True, "result": "Successfully wrote 1 bytes to async.txt", "error_type": None}, 1],
    )


# -- the same interface ----------------------------------------------------------------------
def test_the_http_client_has_the_in_process_interface() -> None:
    """`Sandbox` is one class over either transport; the transports share one protocol."""
    for method in ("request", "arequest", "close", "aclose"):
        assert inspect.signature(getattr(HTTPTransport, method)) == inspect.signature(
            getattr(InProcessTransport, method)
        ), method


# -- behaviour, once per transport -------------------------------------------------------------
def test_call_results(sandbox: Sandbox) -> None:
    wrote = sandbox.call("vfs", "write_file", {"file_path": "x.txt", "content": "12345"}, "p1")
    assert (wrote.success, wrote.result, wrote.error_type) == (
        True,
        "Successfully wrote 5 bytes to x.txt",
        None,
    )
    failed = sandbox.call("vfs", "read_file", {"file_path": "y.txt"}, "p1")
    assert (failed.success, failed.error_type) == (False, "FileNotFound")
    traced = sandbox.call("vfs", "read_file", {"file_path": "x.txt"}, "p1", trace=True)
    assert (
        traced.trace is not None
        and traced.trace["executed"] is True
        and len(traced.trace["state_digest"]) == 16
    )


def test_errors_raise_sandbox_error(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError) as unknown:
        sandbox.call("nope", "x", {}, "p1")
    assert (unknown.value.error_type, unknown.value.status) == ("UnknownComponent", 404)
    with pytest.raises(SandboxError) as bad:
        sandbox.end_session("bad/id")
    assert (bad.value.error_type, bad.value.status) == ("InvalidRequest", 400)


def test_session_lifecycle(sandbox: Sandbox) -> None:
    for i in range(3):
        sandbox.call("vfs", "write_file", {"file_path": f"f{i}", "content": "c"}, "p2")
    assert sandbox.end_session("p2", "vfs") == 3
    assert sandbox.call("vfs", "list_files", {}, "p2").result == "[]"


def test_management_roundtrip(sandbox: Sandbox) -> None:
    assert sandbox.manage("ops", "stats", {"a": 1})["body"] == {"a": 1}
    with pytest.raises(SandboxError) as conflict:
        sandbox.manage("ops", "conflict")
    assert (conflict.value.error_type, conflict.value.status) == ("Conflict", 409)


def test_async_calls_from_successive_event_loops(sandbox: Sandbox) -> None:
    """Each `asyncio.run` has its own loop; the client must not reuse another loop's connections."""
    for n in range(3):
        result = asyncio.run(sandbox.acall("ops", "echo", {"text": str(n)}, "loops"))
        assert result.result == str(n)
