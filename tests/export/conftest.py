"""Real datasets for the export tests: basic, cot and agent records made by the real pipeline
(scripted LLM, the real sandbox), and one file mixing all three kinds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agent.conftest import agent_config
from tests.scripted import agent_responder, provider, qa_responder
from tracefabric import generate
from tracefabric.sandbox import Sandbox

AGENT_PLAN = [
    [("list_files", {})],
    [("read_file", {"file_path": "settings.json"})],  # a real FileNotFound
    [("read_file", {"file_path": "config.json"}), ("file_exists", {"file_path": "src/app.py"})],
    {"final": 'Debug mode is on: config.json has "debug": true.'},
]


def _qa_config(root: Path, kind: str, samples: int) -> dict:
    return {
        "llm": {"provider": "scripted"},
        "topics": {"prompt": f"Python {kind} questions", "depth": 1, "degree": 4},
        "generation": {"kind": kind},
        "output": {"path": str(root / kind / "data.jsonl"), "num_samples": samples, "concurrency": 2},
    }


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """{"basic" | "cot" | "agent": dataset path}, each with its run.json and topics file."""
    root = tmp_path_factory.mktemp("generated")
    paths = {}
    for kind, samples in (("basic", 6), ("cot", 4)):
        summary = generate(_qa_config(root, kind, samples), provider_factory=provider(qa_responder()))
        paths[kind] = summary.dataset
    data_dir = root / "kv"
    data_dir.mkdir()
    with Sandbox.in_process(data_dir=data_dir) as sandbox:
        config = agent_config(root / "agent", samples=4)
        config["topics"]["degree"] = 4
        summary = generate(config, sandbox=sandbox, provider_factory=provider(agent_responder(AGENT_PLAN)))
    paths["agent"] = summary.dataset
    return paths


@pytest.fixture
def mixed(generated: dict[str, Path], tmp_path: Path) -> Path:
    """All three kinds in one file (next to a copy of the agent run's run.json)."""
    out = tmp_path / "mixed" / "dataset.jsonl"
    out.parent.mkdir()
    with open(out, "w", encoding="utf-8") as handle:
        for kind in ("basic", "cot", "agent"):
            handle.write(generated[kind].read_text(encoding="utf-8"))
    run_json = generated["agent"].with_name("agent.run.json")
    shutil.copy(run_json, out.with_name("dataset.run.json"))
    return out


@pytest.fixture
def agent_dataset(generated: dict[str, Path], tmp_path: Path) -> Iterator[Path]:
    """A private copy of the agent dataset with its side files."""
    source = generated["agent"].parent
    target = tmp_path / "agent"
    shutil.copytree(source, target)
    yield target / generated["agent"].name
