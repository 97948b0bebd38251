"""Resource limits across sessions, against a real server: stored bytes per session and per
server (over a limit: `ResourceExhausted`, and nothing stored before is lost), and live
instances (the least recently used are dropped and rebuilt from the store, files intact)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tracefabric.server import ToolServer

from .conftest import start_server

CHUNK = "x" * 10_000  # one file: ~10 kB with its key


def _call(http: httpx.Client, session_id: str, tool: str, **args: Any) -> dict[str, Any]:
    response = http.post("/vfs/execute", json={"session_id": session_id, "tool": tool, "args": args})
    assert response.status_code == 200, response.text
    return response.json()


def _write(http: httpx.Client, session_id: str, name: str, content: str = CHUNK) -> dict[str, Any]:
    return _call(http, session_id, "write_file", file_path=name, content=content)


def _read(http: httpx.Client, session_id: str, name: str) -> str:
    result = _call(http, session_id, "read_file", file_path=name)
    assert result["success"], result
    return result["result"]


@pytest.fixture
def limited(manifest_path: Path, tmp_path: Path) -> Iterator[tuple[ToolServer, httpx.Client]]:
    server = start_server(manifest_path, tmp_path, max_session_bytes=50_000, max_store_bytes=None)
    with httpx.Client(base_url=server.url, trust_env=False, timeout=60) as http:
        yield server, http
    server.stop()


def test_a_session_over_its_byte_limit_gets_resource_exhausted_and_keeps_its_files(
    limited: tuple[ToolServer, httpx.Client],
) -> None:
    server, http = limited
    for i in range(4):
        assert _write(http, "s1", f"f{i}.txt")["success"]
    refused = _write(http, "s1", "f4.txt")
    assert refused["success"] is False and refused["error_type"] == "ResourceExhausted", refused
    assert "limit of 50,000 bytes" in refused["result"]
    # Everything written before is intact, and the refused file does not exist at all.
    for i in range(4):
        assert _read(http, "s1", f"f{i}.txt") == CHUNK
    assert _call(http, "s1", "read_file", file_path="f4.txt")["error_type"] == "FileNotFound"
    # Appending is growing too.
    assert (
        _call(http, "s1", "append_file", file_path="f0.txt", content=CHUNK)["error_type"]
        == "ResourceExhausted"
    )
    assert _read(http, "s1", "f0.txt") == CHUNK
    # Another session has its own budget.
    assert _write(http, "s2", "g.txt")["success"]
    # A full session can still shrink and delete, which makes room again.
    assert _write(http, "s1", "f1.txt", "short")["success"]
    assert _call(http, "s1", "delete_file", file_path="f2.txt")["success"]
    assert _write(http, "s1", "f4.txt")["success"]
    assert server.host.kv.stored_bytes("s:s1") <= 50_000


def test_the_server_over_its_total_byte_limit_refuses_every_session(
    manifest_path: Path, tmp_path: Path
) -> None:
    server = start_server(manifest_path, tmp_path, max_session_bytes=None, max_store_bytes=50_000)
    try:
        with httpx.Client(base_url=server.url, trust_env=False, timeout=60) as http:
            for i in range(3):
                assert _write(http, "a", f"a{i}")["success"]
            assert _write(http, "b", "b0")["success"]
            refused = _write(http, "b", "b1")
            assert refused["error_type"] == "ResourceExhausted" and "of the server" in refused["result"]
            assert _write(http, "c", "c0")["error_type"] == "ResourceExhausted"
            for i in range(3):
                assert _read(http, "a", f"a{i}") == CHUNK
            assert _read(http, "b", "b0") == CHUNK
            # Ending a session frees its bytes for the others.
            assert http.delete("/session/a").json()["deleted_files"] == 3
            assert _write(http, "b", "b1")["success"]
            assert server.host.kv.stored_bytes() <= 50_000
    finally:
        server.stop()


def test_the_instance_limit_drops_the_least_recently_used_and_rebuilds_it(
    manifest_path: Path, tmp_path: Path
) -> None:
    server = start_server(manifest_path, tmp_path, max_instances=2)
    try:
        with httpx.Client(base_url=server.url, trust_env=False, timeout=60) as http:
            for n in range(5):
                assert _write(http, f"lru-{n}", "notes.txt", f"session {n}")["success"]
                assert server.host.live_sessions() <= 2
            assert server.host.budget.evictions >= 3
            # The oldest session lost its instance, not its files: the next call rebuilds it.
            for n in range(5):
                assert _read(http, f"lru-{n}", "notes.txt") == f"session {n}"
                assert server.host.live_sessions() <= 2
            assert server.host.budget.live() <= 2
    finally:
        server.stop()


def test_limits_are_announced_and_published(manifest_path: Path, tmp_path: Path) -> None:
    lines: list[str] = []
    from tracefabric.server import ServerConfig

    config = ServerConfig(
        host="127.0.0.1",
        port=0,
        manifest=manifest_path,
        data_dir=tmp_path,
        max_instances=7,
        max_session_bytes=3 * 1024**2,
        max_store_bytes=5 * 1024**3,
    )
    with ToolServer(config, announce=lines.append) as server:
        assert "limits: 7 live instances, 3 MiB per session, 5 GiB in all" in lines[0]
        with httpx.Client(base_url=server.url, trust_env=False) as http:
            document = http.get("/openapi.json").json()
    limits = document["x-limits"]
    assert limits["max_instances"] == 7
    assert limits["max_session_bytes"] == 3 * 1024**2 and limits["max_store_bytes"] == 5 * 1024**3
    assert limits["max_body_bytes"] == config.max_body_bytes
    assert limits["header_timeout_s"] == config.header_timeout_s
    assert "3,145,728 stored bytes per session" in document["info"]["description"]
