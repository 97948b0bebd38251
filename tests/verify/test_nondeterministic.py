"""Records from a component marked `deterministic = false` are not replayed (skipped), but
their messages must still agree with their trace."""

from __future__ import annotations

import json
from pathlib import Path

from tests.agent.conftest import agent_config
from tests.scripted import agent_responder, provider, read_jsonl
from tracefabric import generate
from tracefabric.verify import Status, verify_dataset

PLAN = [[("list_files", {})], [("read_file", {"file_path": "config.json"})], {"final": "Debug is on."}]


def test_nondeterministic_records_are_skipped_yet_checked(tmp_path: Path) -> None:
    manifest = tmp_path / "spin.toml"
    manifest.write_text(
        'spin_manifest_version = 2\n[application]\nname = "t"\n'
        '[component.vfs]\nsource = "builtin:vfs"\nkey_value_stores = ["default"]\ndeterministic = false\n'
    )
    config = agent_config(tmp_path, samples=2, manifest=str(manifest))
    summary = generate(config, provider_factory=provider(agent_responder(PLAN)))
    report = verify_dataset(summary.dataset)
    assert [s.status for s in report.samples] == [Status.SKIPPED, Status.SKIPPED] and report.passed
    assert (
        report.samples[0].skip == "nondeterministic" and "non-deterministic: vfs" in report.samples[0].detail
    )
    first, second = read_jsonl(summary.dataset)
    first["messages"][-2]["content"] = '{"debug": false}\n'
    summary.dataset.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n")
    report = verify_dataset(summary.dataset)
    assert [s.status for s in report.samples] == [Status.MISMATCH, Status.SKIPPED] and not report.passed
