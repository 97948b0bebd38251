"""Smoke test: the quickstart config on the real embedded model, offline, with a tiny budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripted import read_jsonl
from tracefabric import generate
from tracefabric.config import load_config
from tracefabric.verify import verify_dataset

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart.yaml"

pytest.importorskip("xllamacpp", reason="the embedded model needs tracefabric[local]")


@pytest.mark.model
def test_quickstart_runs_on_the_embedded_model(tmp_path: Path) -> None:
    loaded = load_config(QUICKSTART)
    summary = generate(loaded, num_samples=1, output=tmp_path / "quickstart.jsonl")
    assert summary.status == "completed", summary
    (record,) = read_jsonl(summary.dataset)
    assert record["metadata"]["tool_calls"] >= 1
    assert record["messages"][-1]["role"] == "assistant" and record["messages"][-1]["content"].strip()
    assert record["metadata"]["model"] == "qwen2.5-coder-1.5b"
    report = verify_dataset(summary.dataset)
    assert report.count("ok") == 1
