"""Real datasets for the viewer: a generation run (scripted LLM, the real in-process sandbox)
over the vfs and mock components, with a scenario seed, a real FileNotFound, injected
RateLimited faults, files written by the agent, and rejected samples in the failures file.

`python -m tests.viewer.data OUT` writes one (used for the docs' screenshots)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.scripted import agent_responder, provider
from tracefabric import generate
from tracefabric.sandbox import Sandbox

TOOLS = {
    "tools": [
        {
            "name": "get_weather",
            "description": "Current weather for a city",
            "inputSchema": {
                "type": "object",
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
            },
            "annotations": {"readOnlyHint": True},
        }
    ]
}
MOCK_DATA = {
    "mockResponses": {"get_weather": {"defaultResponse": {"location": "{{location}}", "temperature": 20}}}
}
SEED = {
    "config.json": '{\n  "debug": true,\n  "city": "Oslo"\n}\n',
    "src/app.py": "print('hi')\n",
}
ANSWER = "Debug mode is on in config.json. Oslo is at 20 degrees. I wrote the notes to notes.md."
WORK = [
    [("list_files", {})],
    [("read_file", {"file_path": "settings.json"})],  # a real FileNotFound
    [("read_file", {"file_path": "config.json"}), ("get_weather", {"location": "Oslo"})],
    [("write_file", {"file_path": "notes.md", "content": "# Notes\n\ndebug is on\n"})],
    {"final": ANSWER},
]
LAZY = [{"final": "I think debug mode is probably on."}]  # never calls a tool: min_tool_calls rejects it


def plan(request: str) -> list[Any]:
    # Topics named "golf ..." get the lazy plan (the scripted topics cycle through ten words).
    return LAZY if "golf" in request else WORK


def config(root: Path, samples: int) -> Path:
    (root / "tools.json").write_text(json.dumps(TOOLS))
    (root / "data.json").write_text(json.dumps(MOCK_DATA))
    path = root / "config.json"
    path.write_text(
        json.dumps(
            {
                "llm": {"provider": "scripted"},
                "topics": {"prompt": "Project chores", "depth": 2, "degree": 3},
                "generation": {
                    "kind": "agent",
                    "max_retries": 1,
                    "tools": {
                        "components": ["vfs", "mock"],
                        "scenario_seed": {"files": SEED},
                        "mock": {
                            "schema": "tools.json",
                            "data": "data.json",
                            "namespace": "viewer-test",
                            "faults": {"seed": 11, "tools": {"get_weather": {"rate_limited": 0.5}}},
                        },
                    },
                },
                "output": {
                    "path": str(root / "out" / "agent.jsonl"),
                    "num_samples": samples,
                    "concurrency": 2,
                },
            }
        )
    )
    return path


def make_dataset(root: Path, samples: int = 8) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    data_dir = root / "kv"
    data_dir.mkdir(exist_ok=True)
    with Sandbox.in_process(data_dir=data_dir) as sandbox:
        summary = generate(
            config(root, samples), sandbox=sandbox, provider_factory=provider(agent_responder(plan))
        )
    return summary.dataset


if __name__ == "__main__":
    print(make_dataset(Path(sys.argv[1])))
