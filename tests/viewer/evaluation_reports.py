"""Evaluation reports in the provisional shape the viewer reads (see viewer/views/evaluation.py);
replace with real `tracefabric evaluate` output once that command exists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def report(record: dict[str, Any], *, model: str, success: float) -> dict[str, Any]:
    return {
        "kind": "evaluation",
        "model": model,
        "dataset": "agent.jsonl",
        "metrics": {
            "task_success": {"value": success, "low": success - 0.1, "high": success + 0.1, "n": 40},
            "tool_error_recovery": {"value": 0.5, "interval": [0.3, 0.7], "n": 12},
            "mean_steps": 4.2,
        },
        "per_tool": {
            "read_file": {"success": {"value": 0.9, "low": 0.8, "high": 0.95}, "calls": 80},
            "get_weather": {"success": 0.4, "calls": 20},
        },
        "per_topic": [{"topic": "alpha", "task_success": 0.7}, {"topic": "bravo", "task_success": 0.5}],
        "tasks": [
            {"id": "t-1", "topic": "alpha", "success": True, "score": 1.0, "record": record},
            {"id": "t-2", "topic": "bravo", "success": False, "score": 0.0},
        ],
    }


def write_reports(folder: Path, record: dict[str, Any]) -> tuple[Path, Path]:
    first = folder / "baseline.report.json"
    second = folder / "candidate.report.json"
    first.write_text(json.dumps(report(record, model="base", success=0.6)))
    second.write_text(json.dumps(report(record, model="tuned", success=0.75)))
    return first, second
