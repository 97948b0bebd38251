"""Config errors name the field and exit 2 with one line each; DeepFabric 4.x configs run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scripted import provider, qa_responder, read_jsonl
from tracefabric import generate
from tracefabric.config import ConfigErrors, parse_config


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tracefabric.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("topics: {prompt: x, depht: 2}\n", "topics.depht: unknown key (did you mean 'depth'?)"),
        (
            "topics: {prompt: x}\ngeneration: {tools: {max_step: 3}}\n",
            "generation.tools.max_step: unknown key",
        ),
        ("topics: {prompt: x}\noutput: {num_samples: ten}\n", "output.num_samples: must be an integer"),
        (
            "topics: {prompt: x}\noutput: {concurrency: many}\n",
            "output.concurrency: Input should be a valid integer",
        ),
        (
            "topics: {prompt: x}\ngeneration: {kind: story}\n",
            "generation.kind: Input should be 'basic', 'cot' or 'agent'",
        ),
        ("generation: {kind: basic}\n", "topics: required key is missing"),
        ("topics: [1, 2\n", "invalid YAML"),
    ],
)
def test_config_errors_are_one_line_each_exit_2(tmp_path: Path, yaml_text: str, expected: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml_text)
    result = cli("validate", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert any(expected in line for line in lines), result.stderr
    assert all(line.startswith("error: ") for line in lines)
    assert "Traceback" not in result.stderr


def test_several_problems_are_all_reported() -> None:
    with pytest.raises(ConfigErrors) as caught:
        parse_config("topics: {prompt: x, depht: 1}\noutptu: {}\n")
    assert len(caught.value.lines) == 2


def test_validate_prints_the_plan(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("topics: {prompt: Python, depth: 2, degree: 3}\noutput: {num_samples: 20}\n")
    result = cli("validate", str(path))
    assert result.returncode == 0, result.stderr
    assert "9 topics" in result.stdout and "20 basic samples" in result.stdout
    plan = json.loads(cli("validate", str(path), "--json").stdout)
    assert plan["samples"] == 20 and plan["topics"]["topics"] == 9 and plan["llm_calls"] == 4 + 20


DEEPFABRIC_CONFIG = """
topics:
  prompt: "Python programming fundamentals"
  mode: tree
  depth: 1
  degree: 3
  save_as: "{dir}/topic_tree.jsonl"
generation:
  system_prompt: "You are a helpful Python tutor."
  instructions: "Explain with short examples."
  conversation:
    type: cot
    reasoning_style: freetext
  max_retries: 2
  sample_retries: 1
  max_tokens: 800
  llm:
    provider: openai
    model: gpt-4o-mini
    temperature: 0.3
output:
  system_prompt: "You are a Python tutor."
  include_system_message: true
  num_samples: 4
  batch_size: 2
  save_as: "{dir}/dataset.jsonl"
kaggle:
  handle: someone/something
"""


def test_a_deepfabric_4_config_is_translated_and_runs(tmp_path: Path) -> None:
    loaded = parse_config(DEEPFABRIC_CONFIG.format(dir=tmp_path))
    assert loaded.translated_from == "deepfabric-4"
    assert any("sample_retries" in n and "kaggle" in n for n in loaded.notices)
    config = loaded.config
    assert config.generation.kind == "cot" and config.output.concurrency == 2
    assert config.generation.llm is not None and config.generation.llm.max_tokens == 800
    summary = generate(loaded, provider_factory=provider(qa_responder()))
    records = read_jsonl(summary.dataset)
    assert len(records) == 4 and all("reasoning" in r for r in records)
    assert records[0]["messages"][0] == {"role": "system", "content": "You are a Python tutor."}
    assert (tmp_path / "topic_tree.jsonl").exists()


def test_deepfabric_tools_config_becomes_agent_samples() -> None:
    loaded = parse_config(
        "topics: {prompt: x}\n"
        "generation:\n  system_prompt: s\n  tools:\n    spin_endpoint: http://localhost:3000\n"
        "    components: {builtin: [read_file, list_files]}\n    max_per_query: 3\n    strict: false\n"
        "    tools_endpoint: http://localhost:3000/mock/list-tools\n"
        "output: {save_as: d.jsonl}\n"
    )
    tools = loaded.config.generation.tools
    assert loaded.config.generation.kind == "agent"
    assert tools is not None and tools.endpoint == "http://localhost:3000"
    assert tools.component_filter() == {"vfs": ["read_file", "list_files"]}
    assert tools.max_tool_calls == 3 and tools.strict_tool_calls is False
    assert any("tools_endpoint" in n for n in loaded.notices)
