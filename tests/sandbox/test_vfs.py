"""The VFS component: every tool round-trips; paths can't leave the session root."""

from __future__ import annotations

import json

import pytest

from tracefabric.sandbox.host import SandboxHost


def call(host: SandboxHost, tool: str, session: str = "s1", **args: object) -> dict:
    return host.execute("vfs", tool, args, session)


def ok(host: SandboxHost, tool: str, session: str = "s1", **args: object) -> str:
    response = call(host, tool, session, **args)
    assert response["success"], response
    assert response["error_type"] is None
    return response["result"]


def test_tools_are_described_with_schemas(vfs: SandboxHost) -> None:
    tools = {t["name"]: t for t in vfs.tools("vfs")}
    expected = {
        "read_file",
        "write_file",
        "list_files",
        "delete_file",
        "append_file",
        "file_exists",
        "make_dir",
        "search_files",
        "stat",
    }
    assert set(tools) == expected
    assert tools["read_file"]["inputSchema"]["required"] == ["file_path"]
    assert tools["read_file"]["annotations"]["readOnlyHint"] is True


def test_write_read_list_delete(vfs: SandboxHost) -> None:
    assert ok(vfs, "write_file", file_path="hello.txt", content="Hello, World!") == (
        "Successfully wrote 13 bytes to hello.txt"
    )
    assert ok(vfs, "read_file", file_path="hello.txt") == "Hello, World!"
    assert ok(vfs, "write_file", file_path="src/app/main.py", content="print(1)\nprint(2)\n")
    assert json.loads(ok(vfs, "list_files")) == ["hello.txt", "src/app/main.py"]
    assert json.loads(ok(vfs, "list_files", directory="src")) == ["src/app/main.py"]
    assert json.loads(ok(vfs, "list_files", directory="/", recursive=False)) == ["hello.txt", "src/"]
    assert ok(vfs, "delete_file", file_path="hello.txt") == "Successfully deleted hello.txt"
    missing = call(vfs, "read_file", file_path="hello.txt")
    assert missing == {"success": False, "result": "File not found: hello.txt", "error_type": "FileNotFound"}
    assert call(vfs, "delete_file", file_path="hello.txt")["error_type"] == "FileNotFound"


def test_paths_normalise_to_one_file(vfs: SandboxHost) -> None:
    ok(vfs, "write_file", file_path="./a/../b.txt", content="one")
    assert ok(vfs, "read_file", file_path="b.txt") == "one"
    assert ok(vfs, "read_file", file_path="/b.txt") == "one"
    assert ok(vfs, "read_file", file_path="x/../b.txt") == "one"
    assert ok(vfs, "read_file", file_path="//b.txt") == "one"


def test_append_exists_make_dir_stat_search(vfs: SandboxHost) -> None:
    ok(vfs, "append_file", file_path="log.txt", content="one\n")
    assert "now 8 bytes" in ok(vfs, "append_file", file_path="log.txt", content="two\n")
    assert ok(vfs, "read_file", file_path="log.txt", start_line=2) == "two\n"
    assert json.loads(ok(vfs, "file_exists", file_path="log.txt")) == {
        "path": "log.txt",
        "exists": True,
        "type": "file",
    }
    assert json.loads(ok(vfs, "file_exists", file_path="nope"))["exists"] is False
    assert ok(vfs, "make_dir", path="docs/api") == "Created directory docs/api"
    assert json.loads(ok(vfs, "file_exists", file_path="docs"))["type"] == "directory"
    assert json.loads(ok(vfs, "list_files", directory="/", recursive=False)) == ["docs/", "log.txt"]
    assert json.loads(ok(vfs, "stat", path="log.txt")) == {
        "path": "log.txt",
        "type": "file",
        "size": 8,
        "lines": 2,
    }
    ok(vfs, "write_file", file_path="docs/api/x.md", content="# Title\nTODO: fix\n")
    assert ok(vfs, "search_files", pattern="TODO") == "docs/api/x.md:2: TODO: fix"
    assert ok(vfs, "search_files", pattern="o", glob="*.txt") == "log.txt:1: one\nlog.txt:2: two"
    assert call(vfs, "search_files", pattern="(")["error_type"] == "InvalidArguments"
    assert call(vfs, "read_file", file_path="docs")["error_type"] == "IOError"  # a directory
    assert call(vfs, "write_file", file_path="log.txt/x", content="")["error_type"] == "IOError"


@pytest.mark.parametrize(
    "path",
    [
        "../etc/passwd",
        "../../../../etc/passwd",
        "a/../../secret",
        "./../x",
        "..\\..\\windows\\system32",
        "/etc/passwd",
        "/proc/self/environ",
        "/home/user/.ssh/id_rsa",
        "~/.ssh/id_rsa",
        "C:\\Windows\\win.ini",
        "ok.txt\x00.png",
    ],
)
def test_escapes_are_permission_denied(vfs: SandboxHost, path: str) -> None:
    for tool, args in [
        ("read_file", {"file_path": path}),
        ("write_file", {"file_path": path, "content": "x"}),
        ("delete_file", {"file_path": path}),
    ]:
        response = vfs.execute("vfs", tool, args, "s1")
        assert response["success"] is False
        assert response["error_type"] == "PermissionDenied", (tool, path, response)
        assert "Access denied" in response["result"]


def test_size_caps(vfs: SandboxHost) -> None:
    big = "x" * (1024 * 1024)
    response = call(vfs, "write_file", file_path="big.txt", content=big)
    assert response["error_type"] == "ResourceExhausted"
    assert "File too large" in response["result"]
    assert call(vfs, "write_file", file_path="a" * 300, content="")["error_type"] == "InvalidArguments"
    # Nothing was written by the refused calls.
    assert json.loads(ok(vfs, "list_files")) == []


def test_invalid_arguments_never_reach_the_guest(vfs: SandboxHost) -> None:
    response = vfs.execute("vfs", "write_file", {"file_path": 42, "content": "x"}, "s1", trace=True)
    assert response["error_type"] == "InvalidArguments"
    assert "file_path" in response["result"] and "rule: type" in response["result"]
    assert response["trace"]["executed"] is False and response["trace"]["fuel"] == 0
    missing = vfs.execute("vfs", "write_file", {"file_path": "a"}, "s1")
    assert "'content' is a required property" in missing["result"]
    assert "rule: required" in missing["result"]


def test_unknown_tool(vfs: SandboxHost) -> None:
    assert call(vfs, "rm_rf") == {
        "success": False,
        "result": "Unknown tool: rm_rf",
        "error_type": "UnknownTool",
    }


def test_sessions_are_isolated_and_ended(vfs: SandboxHost) -> None:
    ok(vfs, "write_file", "alice", file_path="notes.txt", content="alice's")
    assert call(vfs, "read_file", "bob", file_path="notes.txt")["error_type"] == "FileNotFound"
    assert json.loads(ok(vfs, "list_files", "bob")) == []
    assert vfs.end_session("alice") == 1
    assert call(vfs, "read_file", "alice", file_path="notes.txt")["error_type"] == "FileNotFound"


def test_state_digest_tracks_content(vfs: SandboxHost) -> None:
    first = vfs.execute("vfs", "write_file", {"file_path": "a", "content": "1"}, "d1", trace=True)
    same = vfs.execute("vfs", "write_file", {"file_path": "a", "content": "1"}, "d2", trace=True)
    other = vfs.execute("vfs", "write_file", {"file_path": "a", "content": "2"}, "d3", trace=True)
    assert first["trace"]["state_digest"] == same["trace"]["state_digest"] != other["trace"]["state_digest"]
