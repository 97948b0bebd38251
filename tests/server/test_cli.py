"""`tracefabric serve` as a user runs it: a real process, its startup line, graceful shutdown."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tracefabric.server.auth import TOKEN_ENV

STARTUP = re.compile(
    r"tracefabric tool server on (http://127\.0\.0\.1:\d+) · components: (.*?) · data: (.*?) · "
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracefabric.cli.main", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracefabric.cli.main", "serve", *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )


@pytest.fixture
def served(manifest_path: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, re.Match[str]]]:
    data = str(tmp_path / "data")
    process = _serve(
        "--manifest", str(manifest_path), "--port", "0", "--data-dir", data, "--log-level", "debug"
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = STARTUP.search(line)
        assert match, (line, process.stderr.read() if process.poll() is not None else "")  # type: ignore[union-attr]
        yield process, match.group(1), match
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def test_startup_line_names_url_components_and_data(
    served: tuple[subprocess.Popen[str], str, re.Match[str]], tmp_path: Path
) -> None:
    _, url, match = served
    assert match.group(2) == "vfs (/vfs), ops (/ops)"
    assert match.group(3) == str(tmp_path / "data")
    with httpx.Client(base_url=url, trust_env=False) as http:
        assert http.get("/health").json() == {"status": "healthy", "components": ["vfs", "ops"]}
        payload = {"session_id": "cli", "tool": "write_file", "args": {"file_path": "a", "content": "b"}}
        assert http.post("/vfs/execute", json=payload).json()["success"] is True
    assert (tmp_path / "data" / "default.db").exists()


def test_sigterm_lets_the_call_in_flight_finish(
    served: tuple[subprocess.Popen[str], str, re.Match[str]],
) -> None:
    process, url, _ = served
    answers: list[httpx.Response] = []

    def slow_call() -> None:
        with httpx.Client(base_url=url, timeout=60, trust_env=False) as http:
            answers.append(http.post("/ops/execute", json={"session_id": "slow", "tool": "spin", "args": {}}))

    log_lines: queue.SimpleQueue[str] = queue.SimpleQueue()
    threading.Thread(target=lambda: [log_lines.put(x) for x in process.stderr], daemon=True).start()  # type: ignore[union-attr]
    caller = threading.Thread(target=slow_call)
    caller.start()
    # Once the server has started the call (it logs that at debug level), ask it to stop.
    while "started POST /ops/execute" not in log_lines.get(timeout=60):
        pass
    process.send_signal(signal.SIGTERM)
    caller.join(60)
    stdout = process.stdout.read()  # type: ignore[union-attr]
    assert process.wait(60) == 0
    assert "tracefabric tool server stopped" in stdout
    assert answers and answers[0].status_code == 200
    assert answers[0].json()["error_type"] == "Timeout"  # the call ran to its own deadline, then answered


def test_public_bind_without_token_exits_2_with_one_line(manifest_path: Path) -> None:
    result = _run("--manifest", str(manifest_path), "--host", "0.0.0.0", "--port", "0")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --host 0.0.0.0") and TOKEN_ENV in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--session-ttl", "soon"], "--session-ttl"),
        (["--enable", "nope"], "--enable nope"),
        (["--workers", "0"], "--workers"),
        (["--token", "short"], "--token"),
        (["--manifest", "/nonexistent/spin.toml"], "spin.toml"),
        (["--max-session-bytes", "lots"], "error: --max-session-bytes: 'lots' is not a size"),
        (["--max-store-bytes", "10"], "error: --max-store-bytes: must be at least 1024 bytes"),
        (["--max-instances", "-1"], "error: --max-instances: must be at least 1"),
        (["--header-timeout", "soon"], "error: --header-timeout: 'soon' is not a duration"),
        (["--body-timeout", "0"], "error: --body-timeout: must be positive"),
        (
            ["--allowed-origin", "localhost:5173"],
            "error: --allowed-origin: 'localhost:5173' is not an origin",
        ),
        (["--allowed-host", "a/b"], "error: --allowed-host: 'a/b' is not a host name"),
    ],
)
def test_bad_options_exit_2(args: list[str], message: str) -> None:
    result = _run("--port", "0", *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_port_in_use_exits_2(manifest_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run("--manifest", str(manifest_path), "--port", str(port))
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_help_has_an_example() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tracefabric.cli.main", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "Example:" in result.stdout and "tracefabric serve" in result.stdout and TOKEN_ENV in result.stdout
