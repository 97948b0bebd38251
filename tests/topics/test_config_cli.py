"""The `topics:` config, exact counts, config errors (exit 2, one line) and `topics generate`."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tracefabric.cli.topics import topics as topics_cli
from tracefabric.errors import ConfigError
from tracefabric.topics import TopicsConfig, load_config_file, plan_topics

from .helpers import TopicModel

# DeepFabric's github-mock-tools example (trimmed): its topics section must load unchanged.
DEEPFABRIC_CONFIG = textwrap.dedent(
    """
    topics:
      prompt: |
        GitHub repository management and code review tasks
      mode: graph
      prompt_style: anchored
      system_prompt: |
        Generate specific, actionable topics for GitHub repository tasks.
      depth: 4
      degree: 5
      save_as: "github-topics.json"
      llm:
        provider: "gemini"
        model: "gemini-2.5-flash-lite"
        temperature: 0.7
    generation:
      system_prompt: Generate realistic GitHub workflow scenarios
      conversation: {type: cot, reasoning_style: agent}
    output:
      num_samples: 4
      save_as: "github-tools-dataset-test.jsonl"
    """
)


def test_defaults_follow_deepfabric() -> None:
    config = TopicsConfig(prompt="x")
    assert (config.mode, config.depth, config.degree) == ("tree", 3, 10)
    assert config.output_path == "topic_tree.jsonl"
    assert TopicsConfig(prompt="x", mode="graph").output_path == "topic_graph.json"
    assert TopicsConfig.model_validate({"prompt": "x", "max_concurrent": 7}).max_concurrency == 7


def test_exact_counts_up_front() -> None:
    tree = plan_topics(TopicsConfig(prompt="x"))
    assert (tree.topics, tree.nodes, tree.expansions, tree.max_links) == (1000, 1111, 111, 0)
    graph = plan_topics(TopicsConfig(prompt="x", mode="graph", depth=2, degree=4, max_links=2))
    assert (graph.topics, graph.nodes, graph.expansions, graph.max_links) == (16, 21, 5, 10)
    assert (
        graph.describe()
        == "16 topics (graph, degree 4, depth 2): 21 nodes from 5 expansions, up to 10 cross-links"
    )


def test_deepfabric_config_loads(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(DEEPFABRIC_CONFIG)
    base_llm, topics = load_config_file(path)
    assert base_llm.provider == "openai"  # no top-level llm: DeepFabric's default provider
    assert topics.mode == "graph" and topics.style == "isolated"  # anchored: no cross-links
    assert topics.llm is not None and topics.llm.provider == "gemini" and topics.llm.temperature == 0.7
    merged = base_llm.merged(topics.llm)
    assert (merged.provider, merged.model) == ("gemini", "gemini-2.5-flash-lite")
    assert plan_topics(topics).topics == 5**4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "topics:\n  prompt: x\n  dedup:\n    treshold: 0.5\n",
            "topics.dedup.treshold: unknown key (did you mean 'threshold'?)",
        ),
        ("topics:\n  prompt: x\n  colour: red\n", "topics.colour: unknown key (allowed: prompt, mode,"),
        (
            "llm:\n  provder: openai\ntopics:\n  prompt: x\n",
            "llm.provder: unknown key (did you mean 'provider'?)",
        ),
        (
            "topics:\n  prompt: x\n  llm:\n    modle: m\n",
            "topics.llm.modle: unknown key (did you mean 'model'?)",
        ),
        ("topics:\n  depth: 2\n", "topics.prompt: required key is missing"),
        ("topics:\n  prompt: x\n  depth: three\n", "topics.depth: Input should be a valid integer"),
        ("topics:\n  prompt: x\n  degree: 50\n  depth: 10\n", "topics: degree 50 and depth 10 plan"),
        ("generation: {}\n", "topics: required key is missing"),
        ("topics: [1, 2]\n", "topics: expected a mapping, got list"),
        ("topics:\n  prompt: [unclosed\n", "invalid YAML"),
    ],
)
def test_config_errors_name_the_key_and_location(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracefabric.cli.main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_config_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("topics:\n  prompt: x\n  dedup:\n    treshold: 0.5\n")
    result = run_cli("topics", "generate", "config.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "error: config.yaml: topics.dedup.treshold: unknown key (did you mean 'threshold'?)\n"
    )
    assert list(tmp_path.iterdir()) == [tmp_path / "config.yaml"]  # nothing was written

    missing = run_cli("topics", "inspect", "nope.jsonl", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr == "error: nope.jsonl: no such file\n"


def test_cli_plan_needs_no_model(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("topics:\n  prompt: Git\n  depth: 2\n  degree: 3\n")
    result = run_cli("topics", "generate", "config.yaml", "--plan", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "9 topics (tree, degree 3, depth 2): 13 nodes from 4 expansions\n"


def test_cli_generate_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = TopicModel()
    built: list[Any] = []

    def fake_llm(config: Any, **kwargs: Any) -> Any:
        built.append(config)
        return model.llm(temperature=config.temperature)

    monkeypatch.setattr("tracefabric.topics.generate.LLM", fake_llm)
    monkeypatch.chdir(tmp_path)
    Path("config.yaml").write_text(
        "llm:\n  provider: openai\n  model: gpt-4o-mini\n"
        "topics:\n  prompt: Git\n  depth: 2\n  degree: 3\n  llm:\n    temperature: 0.3\n"
        "generation:\n  kind: cot\n"
    )
    runner = CliRunner()
    result = runner.invoke(topics_cli, ["generate", "config.yaml"])
    assert result.exit_code == 0, result.output
    assert "9 topics of 9 planned (tree, degree 3, depth 2); 13 nodes" in result.output
    assert "wrote topic_tree.jsonl" in result.output
    assert (built[0].provider, built[0].model, built[0].temperature) == ("openai", "gpt-4o-mini", 0.3)
    assert len(Path("topic_tree.jsonl").read_text().splitlines()) == 9

    again = runner.invoke(topics_cli, ["generate", "config.yaml", "--json"])
    report = json.loads(again.output)
    assert report["reused"] and report["topics"] == 9 and report["planned"]["topics"] == 9
    assert len(model.asks) == 4

    other = runner.invoke(topics_cli, ["generate", "config.yaml", "-o", "out/graph.json", "--json"])
    report = json.loads(other.output)
    assert report["output"] == "out/graph.json" and not report["reused"] and report["duplicates_removed"] == 0
    assert json.loads(Path("out/graph.json").read_text())["root_id"] == 0
