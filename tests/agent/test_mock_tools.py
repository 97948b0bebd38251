"""An end-to-end generation run over mock tools: fixture responses, and an injected error
followed by a retry, all replayed exactly by verify."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.scripted import agent_responder, provider, read_jsonl
from tracefabric import generate
from tracefabric.components.mock.faults import draw
from tracefabric.topics import topic_id_for
from tracefabric.verify import verify_dataset

TOOLS = {
    "tools": [
        {
            "name": "get_weather",
            "description": "Current weather for a city",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "location": {"type": "string"},
                    "units": {"type": "string", "enum": ["C", "F"], "default": "C"},
                },
                "required": ["location"],
            },
            "annotations": {"readOnlyHint": True},
        },
        {
            "name": "cancel_subscription",
            "description": "Cancel the user's weather alerts",
            "inputSchema": {
                "type": "object",
                "properties": {"user": {"type": "string"}},
                "required": ["user"],
            },
            "annotations": {"destructiveHint": True},
        },
    ]
}
DATA = {
    "mockResponses": {
        "get_weather": {
            "defaultResponse": {"location": "{{location}}", "temperature": 20, "units": "{{units}}"}
        }
    },
    "fixtures": {
        "get_weather": [
            {"match": {"location": "Seattle"}, "response": {"temperature": 9, "conditions": "Rain"}}
        ]
    },
}
TOPIC_PATH = ["Weather", "Seattle forecast"]
RATE = 0.5


def fault_seed(session: str) -> int:
    """A seed whose first call in `session` is rate limited and whose second is not."""
    for seed in range(10_000):
        if draw(seed, session, 1) < RATE <= draw(seed, session, 2):
            return seed
    raise AssertionError("no seed found")


def test_mock_tools_in_a_generation_run(tmp_path: Path) -> None:
    (tmp_path / "tools.json").write_text(json.dumps(TOOLS))
    (tmp_path / "data.json").write_text(json.dumps(DATA))
    (tmp_path / "topics.jsonl").write_text(json.dumps({"path": TOPIC_PATH}) + "\n")
    slot = f"{topic_id_for(TOPIC_PATH)}:0"
    session = f"s-{hashlib.sha256(f'3:{slot}'.encode()).hexdigest()[:16]}-0"
    plan = [
        [("get_weather", {"location": "Seattle"})],  # rate limited (injected)
        [("get_weather", {"location": "Seattle"})],  # the retry: the fixture answers
        [("get_weather", {"location": "Oslo", "units": "F"})],  # the template answers
        {"final": "Seattle: 9 degrees and rain."},
    ]
    config = {
        "llm": {"provider": "scripted"},
        "topics": {"prompt": "Weather", "depth": 1, "degree": 1},
        "generation": {
            "kind": "agent",
            "tools": {
                "components": ["mock"],
                "mock": {
                    "schema": "tools.json",
                    "data": "data.json",
                    "namespace": "weather-test",
                    "faults": {"seed": fault_seed(session), "tools": {"get_weather": {"rate_limited": RATE}}},
                    "destructive": "exclude",
                },
            },
        },
        "output": {"path": str(tmp_path / "out" / "d.jsonl"), "num_samples": 1, "seed": 3},
    }
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    summary = generate(
        config_path, topics_load=tmp_path / "topics.jsonl", provider_factory=provider(agent_responder(plan))
    )
    (record,) = read_jsonl(summary.dataset)
    assert {t["function"]["name"] for t in record["tools"]} == {"get_weather"}  # destructive tool left out
    limited, fixture, template = (m["content"] for m in record["messages"] if m["role"] == "tool")
    assert limited.startswith("Error (RateLimited):")
    assert json.loads(fixture) == {"temperature": 9, "conditions": "Rain"}
    assert json.loads(template) == {"location": "Oslo", "temperature": 20, "units": "F"}
    assert record["metadata"]["injected_faults"] == ["RateLimited"]
    assert record["trace"]["calls"][0]["meta"]["injected_fault"] == "RateLimited"
    assert record["trace"]["session_id"] == session
    report = verify_dataset(summary.dataset)
    assert report.count("ok") == 1, report.to_json()
