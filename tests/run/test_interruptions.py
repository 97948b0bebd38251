"""Kill the run at any moment: resuming gives exactly num_samples, no duplicates, no torn lines."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.scripted import provider, qa_responder, read_jsonl
from tracefabric import generate

ROOT = Path(__file__).resolve().parents[2]


def start(config: dict, latency: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.run.generate_script", json.dumps(config), str(latency)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_lines(path: Path, count: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        if process.poll() is not None:
            raise AssertionError(f"the run ended early: {process.stderr.read() if process.stderr else ''}")
        time.sleep(0.02)
    raise AssertionError("the run wrote too slowly")


def make_config(tmp_path: Path, samples: int) -> dict:
    return {
        "llm": {"provider": "scripted"},
        "topics": {"prompt": "Databases", "depth": 1, "degree": 5},
        "output": {"path": str(tmp_path / "data.jsonl"), "num_samples": samples, "concurrency": 4},
    }


def test_kill_9_then_resume_gives_exactly_n_unique_records(tmp_path: Path) -> None:
    config = make_config(tmp_path, 40)
    dataset = tmp_path / "data.jsonl"
    for _round in range(2):  # kill it twice, at different points
        process = start(config, latency=0.05)
        wait_for_lines(dataset, 8 + 10 * _round, process)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    summary = generate(config, provider_factory=provider(qa_responder()))
    assert summary.status == "completed" and summary.resumed_from >= 18
    lines = dataset.read_bytes().split(b"\n")
    assert lines[-1] == b""  # ends with a newline: no torn line
    records = [json.loads(line) for line in lines if line]
    assert len(records) == 40
    assert len({r["metadata"]["slot"] for r in records}) == 40
    assert len({r["messages"][1]["content"] for r in records}) == 40


def test_ctrl_c_stops_gracefully_and_resumes(tmp_path: Path) -> None:
    config = make_config(tmp_path, 30)
    dataset = tmp_path / "data.jsonl"
    process = start(config, latency=0.1)
    wait_for_lines(dataset, 4, process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    result = json.loads(out.strip().splitlines()[-1])
    assert result["status"] == "interrupted" and result["written"] < 30
    assert "finishing the samples in flight" in err
    info = json.loads((tmp_path / "data.run.json").read_text())
    assert info["status"] == "interrupted" and info["records"] == result["written"]
    assert len(read_jsonl(dataset)) == result["written"]
    summary = generate(config, provider_factory=provider(qa_responder()))
    assert summary.written == 30 and len(read_jsonl(dataset)) == 30
