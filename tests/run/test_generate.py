"""The generation run with basic and cot samples: exact counts, gates, failures, budgets, resume."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.scripted import provider, qa_responder, read_jsonl
from tracefabric import generate
from tracefabric.errors import ConfigError


def config(tmp_path: Path, **output: object) -> dict:
    return {
        "llm": {"provider": "scripted"},
        "topics": {"prompt": "Python files", "depth": 1, "degree": 4},
        "generation": {"kind": "basic", "instructions": "Beginner questions."},
        "output": {"path": str(tmp_path / "out" / "data.jsonl"), "concurrency": 3, **output},
    }


@pytest.mark.parametrize("samples", [3, 4, 10])
def test_exact_count_and_even_topic_cycling(tmp_path: Path, samples: int) -> None:
    summary = generate(config(tmp_path, num_samples=samples), provider_factory=provider(qa_responder()))
    records = read_jsonl(summary.dataset)
    assert summary.status == "completed" and len(records) == samples == summary.written
    per_topic = Counter(r["metadata"]["topic_id"] for r in records)
    assert max(per_topic.values()) - min(per_topic.values()) <= 1
    if samples <= 4:
        assert len(per_topic) == samples  # fewer samples than topics: all distinct topics
    slots = {r["metadata"]["slot"] for r in records}
    assert len(slots) == samples
    first = records[0]
    assert [m["role"] for m in first["messages"]] == ["system", "user", "assistant"]
    assert first["metadata"]["kind"] == "basic" and first["metadata"]["topic_path"][0] == "Python files"


def test_cot_records_carry_reasoning(tmp_path: Path) -> None:
    cfg = config(tmp_path, num_samples=2)
    cfg["generation"] = {"kind": "cot", "reasoning_in_content": True}
    summary = generate(cfg, provider_factory=provider(qa_responder()))
    record = read_jsonl(summary.dataset)[0]
    assert record["reasoning"] == [
        {"step": 1, "thought": "First, think. Then answer.", "action": "final_answer"}
    ]
    assert record["messages"][-1]["content"].startswith("First, think.")


def test_run_json_records_provenance(tmp_path: Path) -> None:
    summary = generate(config(tmp_path, num_samples=2), provider_factory=provider(qa_responder()))
    info = json.loads(summary.run_json.read_text())
    assert info["status"] == "completed" and info["records"] == 2 and info["target"] == 2
    assert len(info["config_hash"]) == 16 and info["config"]["topics"]["prompt"] == "Python files"
    assert "wasmtime" in info["versions"] and info["usage"]["totals"]["calls"] >= 2
    assert info["topics"]["count"] == 4


def test_gates_reject_and_failures_explain(tmp_path: Path) -> None:
    def bad(n: int):
        if n in (0, 1):
            return {"question": "Same question every time?", "answer": "Yes."}  # second one is a duplicate
        if n == 2:
            return {"question": "An answer that is empty?", "answer": " "}
        if n == 3:
            return "not json at all"
        return None

    summary = generate(config(tmp_path, num_samples=4), provider_factory=provider(qa_responder(bad=bad)))
    records = read_jsonl(summary.dataset)
    assert len(records) == 4
    questions = [r["messages"][1]["content"] for r in records]
    assert len(set(questions)) == 4
    failures = read_jsonl(summary.failures_path)
    reasons = {f["reason"] for f in failures}
    assert {"duplicate_question", "empty_answer"} <= reasons
    assert all(f["final"] is False for f in failures)  # each was retried and then succeeded
    assert any(f.get("raw") for f in failures)


def test_samples_that_never_pass_are_given_up_and_replaced(tmp_path: Path) -> None:
    def bad(n: int):
        return {"question": "short?", "answer": "x"} if n < 3 else None  # question too short: invalid

    cfg = config(tmp_path, num_samples=3, concurrency=1)
    cfg["generation"]["max_retries"] = 1
    cfg["llm"]["repair_attempts"] = 0
    summary = generate(cfg, provider_factory=provider(qa_responder(bad=bad)))
    assert summary.written == 3 and summary.status == "completed"
    # The first slot failed twice (max_retries=1) and was given up; the next slot took its place.
    assert summary.failures_by_reason == {"llm_error": 1}
    assert summary.failed_attempts == 3


def test_budget_stop_is_resumable(tmp_path: Path) -> None:
    cfg = config(tmp_path, num_samples=8, max_tokens_total=300)
    cfg["output"]["concurrency"] = 1
    first = generate(cfg, provider_factory=provider(qa_responder()))
    assert first.status == "budget_reached" and 0 < first.written < 8
    assert json.loads(first.run_json.read_text())["status"] == "budget_reached"
    cfg["output"]["max_tokens_total"] = 1_000_000  # budgets don't change the config hash
    second = generate(cfg, provider_factory=provider(qa_responder()))
    assert second.status == "completed" and second.resumed_from == first.written
    assert len(read_jsonl(second.dataset)) == 8


def test_torn_last_line_is_cut_on_resume(tmp_path: Path) -> None:
    cfg = config(tmp_path, num_samples=3)
    first = generate(cfg, provider_factory=provider(qa_responder()))
    data = first.dataset.read_bytes()
    lines = data.splitlines(keepends=True)
    first.dataset.write_bytes(lines[0] + lines[1][: len(lines[1]) // 2])  # a crash mid-write
    second = generate(cfg, provider_factory=provider(qa_responder()))
    records = read_jsonl(second.dataset)
    assert len(records) == 3 and second.resumed_from == 1
    assert any("torn" in note for note in second.notes)


def test_existing_output_from_another_config_is_refused(tmp_path: Path) -> None:
    generate(config(tmp_path, num_samples=2), provider_factory=provider(qa_responder()))
    other = config(tmp_path, num_samples=2)
    other["generation"]["instructions"] = "Expert questions."
    with pytest.raises(ConfigError, match="different config"):
        generate(other, provider_factory=provider(qa_responder()))
    summary = generate(other, overwrite=True, provider_factory=provider(qa_responder()))
    assert summary.written == 2 and summary.resumed_from == 0


def test_topics_load_uses_the_given_file(tmp_path: Path) -> None:
    topics = tmp_path / "topics.jsonl"
    topics.write_text("".join(json.dumps({"path": ["Root", f"Leaf {i}"]}) + "\n" for i in range(5)))
    summary = generate(
        config(tmp_path, num_samples=5), topics_load=topics, provider_factory=provider(qa_responder())
    )
    assert {r["metadata"]["topic_path"][1] for r in read_jsonl(summary.dataset)} == {
        f"Leaf {i}" for i in range(5)
    }
