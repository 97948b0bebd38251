"""A remote tool server gives the same records as the in-process sandbox."""

from __future__ import annotations

from pathlib import Path

from tests.agent.conftest import agent_config
from tests.scripted import agent_responder, provider, read_jsonl
from tracefabric import generate
from tracefabric.server import ServerConfig, ToolServer
from tracefabric.verify import verify_dataset

PLAN = [
    [("list_files", {})],
    [
        ("read_file", {"file_path": "missing.txt"}),
        ("write_file", {"file_path": "notes.md", "content": "# Notes\n"}),
    ],
    [("read_file", {"file_path": "notes.md"})],
    {"final": "Wrote notes.md."},
]


def comparable(record: dict) -> dict:
    """A record without what legitimately differs between runs (timings, where tools ran)."""
    trace = dict(record["trace"])
    trace["calls"] = [{k: v for k, v in call.items() if k != "duration_ms"} for call in trace["calls"]]
    trace.pop("endpoint")
    return {**record, "trace": trace}


def test_remote_tool_server_gives_the_same_records(tmp_path: Path) -> None:
    local = agent_config(tmp_path / "local", samples=3)
    local_summary = generate(local, provider_factory=provider(agent_responder(PLAN)))
    with ToolServer(ServerConfig(port=0, data_dir=tmp_path / "server-data")) as server:
        remote = agent_config(tmp_path / "remote", samples=3, endpoint=server.url)
        remote_summary = generate(remote, provider_factory=provider(agent_responder(PLAN)))
        remote_records = read_jsonl(remote_summary.dataset)
        assert all(r["trace"]["endpoint"] == server.url for r in remote_records)
        report = verify_dataset(remote_summary.dataset)  # replays through the server too
        assert report.count("ok") == 3
    local_records = sorted(read_jsonl(local_summary.dataset), key=lambda r: r["metadata"]["slot"])
    remote_records = sorted(remote_records, key=lambda r: r["metadata"]["slot"])
    assert [comparable(r) for r in local_records] == [comparable(r) for r in remote_records]
