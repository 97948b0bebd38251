"""Agent samples: a ReAct loop whose every tool call ran in the real sandbox."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.agent.conftest import agent_config
from tests.scripted import agent_responder, provider, read_jsonl
from tracefabric import generate
from tracefabric.errors import ConfigError
from tracefabric.samples.agent.protocol import observation_text
from tracefabric.samples.records import validate_record
from tracefabric.sandbox import Sandbox
from tracefabric.verify import verify_dataset

LIST_READ_FINAL = [
    [("list_files", {})],
    [("read_file", {"file_path": "settings.json"})],  # does not exist: a real FileNotFound
    [("read_file", {"file_path": "config.json"})],
    {"final": 'Debug mode is on: config.json has "debug": true.'},
]


def tool_messages(record: dict) -> list[dict]:
    return [m for m in record["messages"] if m["role"] == "tool"]


def test_records_show_real_results_errors_and_recovery(tmp_path: Path, sandbox: Sandbox) -> None:
    summary = generate(
        agent_config(tmp_path), sandbox=sandbox, provider_factory=provider(agent_responder(LIST_READ_FINAL))
    )
    records = read_jsonl(summary.dataset)
    assert summary.status == "completed" and len(records) == 2
    for record in records:
        assert validate_record(record) is None
        roles = [m["role"] for m in record["messages"]]
        assert roles == [
            "system",
            "user",
            "assistant",
            "tool",
            "assistant",
            "tool",
            "assistant",
            "tool",
            "assistant",
        ]
        listing, missing, config = (m["content"] for m in tool_messages(record))
        assert json.loads(listing) == [
            "config.json",
            "src/app.py",
        ]  # the seeded files, as the sandbox lists them
        assert missing == "Error (FileNotFound): File not found: settings.json"
        assert config == '{"debug": true}\n'
        assert record["metadata"]["errors_seen"] == ["FileNotFound"]
        assert record["metadata"]["tool_calls"] == 3 and record["metadata"]["steps"] == 3
        # each tool message is exactly what the sandbox returned for that call
        for message, call in zip(tool_messages(record), record["trace"]["calls"], strict=True):
            response = call["response"]
            assert message["content"] == observation_text(
                response["success"], response["result"], response["error_type"], 4000
            )
            assert call["component"] == "vfs" and len(call["state_digest"]) == 16
        calls = [c for m in record["messages"] for c in m.get("tool_calls") or []]
        assert [c["id"] for c in calls] == [m["tool_call_id"] for m in tool_messages(record)]
        assert all(len(c["id"]) == 9 and c["id"].isalnum() for c in calls)
        assert {t["function"]["name"] for t in record["tools"]} >= {"read_file", "write_file", "list_files"}
    # sessions were ended: nothing is left in the store
    host = sandbox.transport.host  # type: ignore[attr-defined]
    assert host.kv.scopes("default", "s:") == []


def test_verify_reproduces_every_observation(tmp_path: Path) -> None:
    plan = [
        [("write_file", {"file_path": "notes/todo.md", "content": "- ship it\n"})],
        [("read_file", {"file_path": "notes/todo.md"}), ("list_files", {"directory": "notes"})],
        [("delete_file", {"file_path": "config.json"}), ("read_file", {"file_path": "config.json"})],
        {"final": "Done."},
    ]
    summary = generate(agent_config(tmp_path, samples=3), provider_factory=provider(agent_responder(plan)))
    report = verify_dataset(summary.dataset)
    assert report.count("ok") == 3 and report.passed
    # A tampered observation is caught, even when message and trace were changed alike.
    records = read_jsonl(summary.dataset)
    records[0]["trace"]["calls"][1]["response"]["result"] = "- ship it later\n"
    records[0]["messages"][5]["content"] = "- ship it later\n"
    summary.dataset.write_text("".join(json.dumps(r) + "\n" for r in records))
    tampered = verify_dataset(summary.dataset)
    assert tampered.count("mismatch") == 1
    assert "trace.calls[1].response.result: read_file: replay gives" in tampered.samples[0].detail


@pytest.mark.parametrize("strict", [True, False])
def test_max_tool_calls_strict_rejects_and_lenient_stops(
    tmp_path: Path, sandbox: Sandbox, strict: bool
) -> None:
    greedy = [[("read_file", {"file_path": f"f{i}.txt"})] for i in range(6)] + [{"final": "Read."}]
    config = agent_config(tmp_path, samples=1, max_tool_calls=3, strict_tool_calls=strict)
    config["generation"]["max_retries"] = 0
    config["output"]["max_failures"] = 1
    summary = generate(config, sandbox=sandbox, provider_factory=provider(agent_responder(greedy)))
    if strict:
        assert summary.written == 0
        failures = read_jsonl(summary.failures_path)
        assert {f["reason"] for f in failures} == {"too_many_tool_calls"}
    else:
        (record,) = read_jsonl(summary.dataset)
        assert record["metadata"]["tool_calls"] == 3 and record["metadata"]["stopped_at_call_limit"] is True
        assert len(tool_messages(record)) == 3  # the record was never truncated mid-step
        assert record["messages"][-1] == {"role": "assistant", "content": "Done, based on the results above."}


def test_invalid_arguments_are_executed_and_marked(tmp_path: Path, sandbox: Sandbox) -> None:
    plan = [
        [("read_file", {"file_path": 42})],
        [("read_file", {"file_path": "config.json"})],
        {"final": "ok"},
    ]
    summary = generate(
        agent_config(tmp_path, samples=1), sandbox=sandbox, provider_factory=provider(agent_responder(plan))
    )
    (record,) = read_jsonl(summary.dataset)
    first = tool_messages(record)[0]["content"]
    assert first.startswith("Error (InvalidArguments): Invalid arguments for read_file: file_path")
    assert record["metadata"]["invalid_arguments"] == 1
    assert record["trace"]["calls"][0]["invalid_arguments"] is True
    assert record["trace"]["calls"][0]["executed"] is False  # the host refused it before the guest ran


def test_long_observations_are_truncated_visibly(tmp_path: Path, sandbox: Sandbox) -> None:
    config = agent_config(tmp_path, samples=1, max_observation_chars=300)
    config["generation"]["tools"]["scenario_seed"]["files"]["big.txt"] = "x" * 5000
    plan = [[("read_file", {"file_path": "big.txt"})], {"final": "It is long."}]
    summary = generate(config, sandbox=sandbox, provider_factory=provider(agent_responder(plan)))
    (record,) = read_jsonl(summary.dataset)
    content = tool_messages(record)[0]["content"]
    assert content.startswith("x" * 300) and "[truncated: 4700 more characters]" in content
    assert record["trace"]["calls"][0]["response"]["result"] == "x" * 5000  # the trace keeps it all


def test_an_answer_before_any_tool_call_is_discarded(tmp_path: Path, sandbox: Sandbox) -> None:
    answers = iter(["early"])

    def plan(_request: str):
        early = next(answers, None)
        return [{"final": "I just know."}] if early else LIST_READ_FINAL

    summary = generate(
        agent_config(tmp_path, samples=1), sandbox=sandbox, provider_factory=provider(agent_responder(plan))
    )
    (record,) = read_jsonl(summary.dataset)
    assert record["metadata"]["discarded_early_answers"] == 1
    assert "I just know" not in json.dumps(record["messages"])


def test_sessions_end_even_when_samples_fail(tmp_path: Path, sandbox: Sandbox) -> None:
    def broken(request):
        props = (request.json_schema or {}).get("properties", {})
        if "thought" in props:
            done = sum(1 for m in request.messages if m["content"].startswith("Tool results"))
            if done:
                return "this is not JSON"
        return agent_responder([[("write_file", {"file_path": "a.txt", "content": "x"})]])(request)

    config = agent_config(tmp_path, samples=1)
    config["generation"]["max_retries"] = 1
    config["output"]["max_failures"] = 0
    summary = generate(config, sandbox=sandbox, provider_factory=provider(broken))
    assert summary.written == 0 and summary.failed_attempts >= 2
    host = sandbox.transport.host  # type: ignore[attr-defined]
    assert host.kv.scopes("default", "s:") == []
    assert host.live_sessions() == 0


def test_seed_from_folder_and_local_git_repository(tmp_path: Path, sandbox: Sandbox) -> None:
    folder = tmp_path / "project"
    (folder / "pkg").mkdir(parents=True)
    (folder / "pkg" / "mod.py").write_text("VALUE = 1\n")
    (folder / "README.md").write_text("# Project\n")
    (folder / "blob.bin").write_bytes(b"\x00\xff" * 10)
    git = ["git", "-C", str(folder)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1"], check=True)
    (folder / "pkg" / "mod.py").write_text("VALUE = 2\n")
    subprocess.run([*git, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "v2"], check=True)
    plan = [[("list_files", {}), ("read_file", {"file_path": "pkg/mod.py"})], {"final": "ok"}]
    for seed, value in [
        ({"from_dir": str(folder)}, "VALUE = 2\n"),
        ({"from_git": str(folder), "ref": "main~1"}, "VALUE = 1\n"),
    ]:
        config = agent_config(tmp_path, samples=1)
        config["generation"]["tools"]["scenario_seed"] = seed
        config["output"]["path"] = str(tmp_path / f"out-{len(seed)}-{value[-2]}" / "d.jsonl")
        summary = generate(config, sandbox=sandbox, provider_factory=provider(agent_responder(plan)))
        (record,) = read_jsonl(summary.dataset)
        listing, module = (m["content"] for m in tool_messages(record))
        assert json.loads(listing) == ["README.md", "pkg/mod.py"]  # binary and .git left out
        assert module == value


def test_a_tool_name_clash_is_a_config_error(tmp_path: Path) -> None:
    manifest = tmp_path / "spin.toml"
    manifest.write_text(
        'spin_manifest_version = 2\n[application]\nname = "t"\n'
        '[component.vfs]\nsource = "builtin:vfs"\nkey_value_stores = ["default"]\n'
        '[component.scratch]\nsource = "builtin:vfs"\nkey_value_stores = ["scratch"]\n'
    )
    config = agent_config(tmp_path, samples=1, manifest=str(manifest), components=["vfs", "scratch"])
    with pytest.raises(ConfigError, match="offered by both 'vfs' and 'scratch'"):
        generate(config, provider_factory=provider(agent_responder(LIST_READ_FINAL)))
    aliases = {
        f"scratch.{name}": f"scratch_{name}"
        for name in [
            "read_file",
            "write_file",
            "append_file",
            "list_files",
            "delete_file",
            "file_exists",
            "make_dir",
            "search_files",
            "stat",
        ]
    }
    config["generation"]["tools"]["aliases"] = aliases
    plan = [
        [("scratch_write_file", {"file_path": "n.txt", "content": "x"}), ("list_files", {})],
        {"final": "ok"},
    ]
    summary = generate(config, provider_factory=provider(agent_responder(plan)))
    (record,) = read_jsonl(summary.dataset)
    # Two components, separate stores: the scratch write is not in the vfs listing.
    assert json.loads(tool_messages(record)[1]["content"]) == ["config.json", "src/app.py"]
    assert record["trace"]["calls"][0]["component"] == "scratch"


def test_repeated_identical_calls_are_skipped_not_recorded(tmp_path: Path, sandbox: Sandbox) -> None:
    base = agent_responder([[("list_files", {})]])

    def responder(request):
        if "thought" not in ((request.json_schema or {}).get("properties") or {}):
            return base(request)
        results = sum(1 for m in request.messages if m["content"].startswith("Tool results"))
        hinted = "already called list_files" in request.messages[-1]["content"]
        if results == 0 or (results == 1 and not hinted):
            return {"thought": "List.", "action": {"tool_calls": [{"name": "list_files", "arguments": {}}]}}
        if results == 1:  # the host pointed at the result it already had: move on
            return {
                "thought": "Read.",
                "action": {"tool_calls": [{"name": "read_file", "arguments": {"file_path": "config.json"}}]},
            }
        return {"thought": "Done.", "action": {"final_answer": "ok"}}

    summary = generate(
        agent_config(tmp_path, samples=1), sandbox=sandbox, provider_factory=provider(responder)
    )
    (record,) = read_jsonl(summary.dataset)
    names = [c["function"]["name"] for m in record["messages"] for c in m.get("tool_calls") or []]
    assert names == ["list_files", "read_file"]
    assert record["metadata"]["repeated_calls_skipped"] == 1
