"""Agent-sample fixtures: an in-process sandbox over the built-in manifest, in a temp data dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tracefabric.sandbox import Sandbox


@pytest.fixture
def sandbox(data_dir: Path) -> Iterator[Sandbox]:
    with Sandbox.in_process(data_dir=data_dir) as client:
        yield client


def agent_config(tmp_path: Path, *, samples: int = 2, **tools: object) -> dict:
    return {
        "llm": {"provider": "scripted", "repair_attempts": 1},
        "topics": {"prompt": "Project configuration", "depth": 1, "degree": 2},
        "generation": {
            "kind": "agent",
            "tools": {
                "scenario_seed": {
                    "files": {"config.json": '{"debug": true}\n', "src/app.py": "print('hi')\n"}
                },
                **tools,
            },
        },
        "output": {"path": str(tmp_path / "out" / "agent.jsonl"), "num_samples": samples, "concurrency": 2},
    }
