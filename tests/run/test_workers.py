"""Samples built in worker processes (output.workers): same guarantees as one process."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.scripted import read_jsonl
from tracefabric import generate
from tracefabric.llm.testing import StubServer


def answer(body: dict[str, Any]) -> dict[str, Any] | None:
    """Questions unique to each prompt (so the dataset's duplicate gate passes)."""
    schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("schema") or {}
    tag = hashlib.sha256(json.dumps(body["messages"]).encode()).hexdigest()[:10]
    if "question" in schema.get("properties", {}):
        return {"question": f"What about case {tag}?", "answer": f"Answer {tag}."}
    return None


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_API_KEY", "stub-key")
    with StubServer() as server:
        server.state.responder = answer
        yield server


def config(tmp_path: Path, url: str, **output: Any) -> dict[str, Any]:
    return {
        "llm": {"provider": "openai", "model": "stub", "base_url": url},
        "topics": {"prompt": "Databases", "depth": 1, "degree": 3},
        "output": {
            "path": str(tmp_path / "d.jsonl"),
            "num_samples": 12,
            "concurrency": 6,
            "workers": 2,
            **output,
        },
    }


def write_topics(tmp_path: Path) -> Path:
    path = tmp_path / "topics.jsonl"
    path.write_text("".join(json.dumps({"path": ["Databases", f"Topic {i}"]}) + "\n" for i in range(3)))
    return path


def test_workers_produce_exactly_n_unique_records(tmp_path: Path, stub: StubServer) -> None:
    summary = generate(config(tmp_path, stub.openai_url), topics_load=write_topics(tmp_path))
    records = read_jsonl(summary.dataset)
    assert summary.status == "completed" and len(records) == 12
    assert len({r["metadata"]["slot"] for r in records}) == 12
    assert len({r["messages"][1]["content"] for r in records}) == 12
    usage = json.loads(summary.run_json.read_text())["usage"]["totals"]
    assert usage["calls"] == 12  # reported by the workers, counted by the run


def test_budgets_hold_across_workers_and_the_run_resumes(tmp_path: Path, stub: StubServer) -> None:
    topics = write_topics(tmp_path)
    first = generate(config(tmp_path, stub.openai_url, max_tokens_total=1), topics_load=topics)
    assert first.status == "budget_reached" and first.written < 12
    second = generate(config(tmp_path, stub.openai_url), topics_load=topics)
    assert second.status == "completed" and len(read_jsonl(second.dataset)) == 12
