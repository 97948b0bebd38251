"""Dataset statistics: the library's numbers, the terminal view, --json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tests.scripted import read_jsonl
from tracefabric.cli.main import cli
from tracefabric.stats import dataset_stats


def test_counts_of_a_mixed_dataset(mixed: Path) -> None:
    stats = dataset_stats(mixed).to_json()
    assert stats["records"] == 14 and stats["kinds"] == {"basic": 6, "cot": 4, "agent": 4}
    assert stats["tools"]["called"] == {"read_file": 8, "file_exists": 4, "list_files": 4}
    assert stats["tools"]["offered"]["write_file"] == 4
    assert stats["errors"] == {"FileNotFound": 4}
    hist = stats["histograms"]
    assert hist["tool_calls"]["max"] == 4 and hist["tool_calls"]["p50"] == 0
    assert hist["turns"]["min"] == 2 and hist["turns"]["max"] == 9  # user+assistant; the agent's 9
    assert hist["steps"]["bins"][-1] == {"lo": 3, "hi": 3, "count": 4}
    assert stats["token_method"] == "estimated as characters / 4" and hist["tokens"]["max"] > 300
    assert stats["quality"] == {"accepted": 14, "rejected": 0}


def test_coverage_faults_failures_and_verify(agent_dataset: Path, tmp_path: Path) -> None:
    from tracefabric.verify import verify_dataset

    records = read_jsonl(agent_dataset)
    dropped_topic = records[0]["metadata"]["topic_path"]
    records[1]["metadata"]["injected_faults"] = ["RateLimited", "Timeout"]
    records[2]["metadata"]["quality"] = {"accepted": False}
    agent_dataset.write_text("".join(json.dumps(r) + "\n" for r in records[1:]))
    failures = agent_dataset.with_name("agent.failures.jsonl")
    failures.write_text(
        json.dumps({"slot": "a:0", "reason": "too_few_tool_calls", "final": False})
        + "\n"
        + json.dumps({"slot": "a:0", "reason": "too_few_tool_calls", "final": True})
        + "\n"
    )
    report = verify_dataset(agent_dataset).to_json()
    stats = dataset_stats(agent_dataset, verify_report=report).to_json()
    topics = stats["topics"]
    assert topics["total"] == 4 and topics["with_samples"] == 3 and topics["without_samples"] == 1
    assert topics["without_samples_first"] == [" > ".join(dropped_topic)]
    assert topics["samples_per_topic"]["min"] == 0
    assert stats["injected_faults"] == {"RateLimited": 1, "Timeout": 1}
    assert stats["quality"] == {"accepted": 2, "rejected": 1}
    assert stats["failures"]["attempts_by_reason"] == {"too_few_tool_calls": 2}
    assert stats["failures"]["given_up"] == 1
    assert stats["verify"] == {"ok": 3, "mismatch": 0, "skipped": 0, "invalid": 0}


def test_tokens_with_a_tokenizer_and_a_template(mixed: Path, tmp_path: Path) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers

    from tests.export.templates import write_second_template
    from tracefabric.stats.tokens import plain_text

    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    path = tmp_path / "tokenizer.json"
    tokenizer.save(str(path))
    stats = dataset_stats(mixed, tokenizer=path)
    first = read_jsonl(mixed)[0]
    expected = len(pre_tokenizers.Whitespace().pre_tokenize_str(plain_text(first)))
    assert stats.token_method == "tokenizer tokenizer.json"
    assert stats.tokens.min <= expected <= stats.tokens.max
    with_template = dataset_stats(mixed, template=write_second_template(tmp_path), tokenizer=path)
    assert with_template.token_method == "template tokenizer_config.json + tokenizer tokenizer.json"
    assert with_template.tokens.max != stats.tokens.max


def test_cli_view_and_json(mixed: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["stats", str(mixed)], terminal_width=120)
    assert result.exit_code == 0, result.output
    assert "tool calls per record" in result.output and "read_file" in result.output and "█" in result.output
    result = runner.invoke(cli, ["stats", str(mixed), "--json"])
    assert json.loads(result.output)["records"] == 14


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "d.jsonl"
    bad.write_text('{"messages": []}\n')
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracefabric.cli.main",
            "export",
            str(bad),
            "-f",
            "openai",
            "-o",
            str(tmp_path / "o"),
            "--strict",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"error: {bad}:1: messages: List should have at least 2 items after validation, not 0 (--strict stops at the first bad record)"
    ]


def test_records_of_unexpected_shape_are_reported_not_counted(mixed: Path, tmp_path: Path) -> None:
    lines = mixed.read_text().splitlines()
    shapes = [
        {"messages": "text", "metadata": {}},
        {"messages": [{"role": "user", "tool_calls": [{"no": "function"}]}], "metadata": {"kind": "agent"}},
        {"messages": [], "metadata": "none"},
        [1, 2],
    ]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join([lines[0], *(json.dumps(s) for s in shapes), lines[-1]]) + "\n")
    stats = dataset_stats(path)
    assert stats.records == 2 and stats.bad_records == 4
    assert stats.kinds == {"basic": 1, "agent": 1} and stats.turns.total == 2
    assert [b.split(":")[1] for b in stats.bad_examples] == ["2", "3", "4", "5"]
