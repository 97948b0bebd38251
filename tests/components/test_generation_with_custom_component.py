"""The guide's last step: a generation run offering a scaffolded component's tool, next to the VFS."""

from __future__ import annotations

import json
from pathlib import Path

from tests.scripted import agent_responder, provider, read_jsonl
from tracefabric import generate


def test_a_generation_run_offers_the_new_tool(python_project: Path, tmp_path: Path) -> None:
    plan = [
        [("convert_temperature", {"value": 100, "from_unit": "C", "to_unit": "F"})],
        [("remember", {"note": "boiling point"})],  # uses a store the manifest does not grant
        {"final": "100 °C is 212 °F."},
    ]
    config = {
        "llm": {"provider": "scripted"},
        "topics": {"prompt": "Unit conversions", "depth": 1, "degree": 1},
        "generation": {
            "kind": "agent",
            "tools": {"manifest": str(python_project / "spin.toml"), "components": ["vfs", "weather"]},
        },
        "output": {"path": str(tmp_path / "d.jsonl"), "num_samples": 1},
    }
    summary = generate(config, provider_factory=provider(agent_responder(plan)))
    (record,) = read_jsonl(summary.dataset)
    offered = {t["function"]["name"] for t in record["tools"]}
    assert {"convert_temperature", "read_file"} <= offered
    converted, denied = (m["content"] for m in record["messages"] if m["role"] == "tool")
    assert "212" in converted
    assert denied.startswith("Error (CapabilityDenied):")  # what a denied capability looks like in a trace
    call = record["trace"]["calls"][1]
    assert call["component"] == "weather" and call["response"]["error_type"] == "CapabilityDenied"
    assert json.loads(json.dumps(record))["metadata"]["errors_seen"] == ["CapabilityDenied"]
