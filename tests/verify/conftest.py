"""A real agent dataset (scripted model, real VFS sandbox), generated once; tests tamper with copies."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.agent.conftest import agent_config
from tests.scripted import agent_responder, provider, read_jsonl
from tracefabric import generate
from tracefabric.run.paths import RunPaths

LIMIT = 300  # max_observation_chars: big.txt's observation is truncated
BIG = "0123456789" * 100
PLAN = [
    [("list_files", {}), ("no_such_tool", {"x": 1})],  # an unknown tool: recorded, never executed
    [("read_file", {"file_path": "big.txt"})],
    [
        ("write_file", {"file_path": "notes.md", "content": "# Notes\n"}),
        ("read_file", {"file_path": "gone.txt"}),
    ],
    {"final": "Wrote notes.md; big.txt holds digits."},
]

Record = dict[str, Any]


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dataset (its run.json next to it): 2 records of 5 calls each."""
    root = tmp_path_factory.mktemp("verify-generated")
    config = agent_config(root, samples=2, max_observation_chars=LIMIT)
    config["generation"]["tools"]["scenario_seed"]["files"]["big.txt"] = BIG
    summary = generate(config, provider_factory=provider(agent_responder(PLAN)))
    assert summary.written == 2
    return summary.dataset


def records_of(dataset: Path) -> list[Record]:
    return read_jsonl(dataset)


def copy_dataset(
    generated: Path, folder: Path, lines: list[str] | None = None, name: str = "d.jsonl"
) -> Path:
    """A copy of the dataset (and its run.json) in `folder`, optionally with other lines."""
    folder.mkdir(parents=True, exist_ok=True)
    dataset = folder / name
    shutil.copy(RunPaths(generated).run_json, RunPaths(dataset).run_json)
    if lines is None:
        shutil.copy(generated, dataset)
    else:
        dataset.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return dataset


def tampered(generated: Path, folder: Path, edit: Callable[[Record], Any]) -> Path:
    """A copy whose first record went through `edit` (the second stays as generated)."""
    first, second = records_of(generated)
    edit(first)
    return copy_dataset(generated, folder, [json.dumps(first), json.dumps(second)])


def tool_message_indexes(record: Record) -> list[int]:
    return [i for i, m in enumerate(record["messages"]) if m["role"] == "tool"]


def tool_call_entries(record: Record) -> list[tuple[int, int]]:
    """(message index, index in tool_calls) of every tool call, in order."""
    return [(i, j) for i, m in enumerate(record["messages"]) for j, _ in enumerate(m.get("tool_calls") or [])]
