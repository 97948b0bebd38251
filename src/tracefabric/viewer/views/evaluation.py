"""Evaluation reports (`report.json` from `tracefabric evaluate`) — PROVISIONAL.

The evaluate command does not exist yet and its report format is not settled. This module
reads a generic shape so the page (metrics with intervals, per-tool and per-topic tables,
two reports side by side, a task's trace) can be built and tested now; when the format
lands, `looks_like_evaluation`, `normalise` and `task_record` are what to adapt:

    {"kind": "evaluation", "model": ..., "dataset": ...,
     "metrics": {name: number | {"value", "low", "high" | "interval": [lo, hi], "n"}},
     "per_tool" | "per_topic" | "per_<x>": {key: {metric: number | {...}}} | [{"tool"|"topic"|"name": key, ...}],
     "tasks": [{"id", "topic", "success", "score", "record" | "trace": a record with messages}]}
"""

from __future__ import annotations

from typing import Any

from .timeline import record_view


def looks_like_evaluation(document: Any) -> bool:
    return isinstance(document, dict) and (
        document.get("kind") == "evaluation" or isinstance(document.get("metrics"), dict)
    )


def _metric(name: str, value: Any) -> dict[str, Any] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return {"name": name, "value": value, "low": None, "high": None, "n": None}
    if isinstance(value, dict) and isinstance(value.get("value"), int | float):
        low, high = value.get("low"), value.get("high")
        interval = value.get("interval", value.get("ci"))
        if isinstance(interval, list) and len(interval) == 2:
            low, high = interval
        return {"name": name, "value": value["value"], "low": low, "high": high, "n": value.get("n")}
    return None


def _metrics(values: Any) -> list[dict[str, Any]]:
    if not isinstance(values, dict):
        return []
    return [m for name, value in values.items() if (m := _metric(str(name), value)) is not None]


def _table(name: str, value: Any) -> dict[str, Any] | None:
    rows: list[dict[str, Any]] = []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        key_name = name.removeprefix("per_")
        items = [
            (
                str(entry.get(key_name, entry.get("name", index))),
                {k: v for k, v in entry.items() if k not in (key_name, "name")},
            )
            for index, entry in enumerate(value)
            if isinstance(entry, dict)
        ]
    else:
        return None
    columns: list[str] = []
    for key, metrics in items:
        row_metrics = _metrics(metrics) if isinstance(metrics, dict) else []
        for metric in row_metrics:
            if metric["name"] not in columns:
                columns.append(metric["name"])
        rows.append({"key": str(key), "metrics": {m["name"]: m for m in row_metrics}})
    return {"name": name, "columns": columns, "rows": rows}


def normalise(document: dict[str, Any]) -> dict[str, Any]:
    tables = [t for k, v in document.items() if k.startswith("per_") and (t := _table(k, v)) is not None]
    tasks = []
    for index, task in enumerate(document.get("tasks") or []):
        if not isinstance(task, dict):
            continue
        tasks.append(
            {
                "id": str(task.get("id", index)),
                "topic": task.get("topic"),
                "success": task.get("success") if isinstance(task.get("success"), bool) else None,
                "score": task.get("score"),
                "has_trace": task_record(task) is not None,
            }
        )
    known = {"metrics", "tasks", *(t["name"] for t in tables)}
    return {
        "provisional": True,
        "info": {k: v for k, v in document.items() if k not in known and not isinstance(v, dict | list)},
        "metrics": _metrics(document.get("metrics")),
        "tables": tables,
        "tasks": tasks,
    }


def task_record(task: dict[str, Any]) -> dict[str, Any] | None:
    for key in ("record", "trace", "sample"):
        value = task.get(key)
        if isinstance(value, dict) and isinstance(value.get("messages"), list):
            return value
    return None


def task_view(document: dict[str, Any], task_id: str) -> dict[str, Any] | None:
    for index, task in enumerate(document.get("tasks") or []):
        if isinstance(task, dict) and str(task.get("id", index)) == task_id:
            record = task_record(task)
            return {
                "task": {k: v for k, v in task.items() if k not in ("record", "trace", "sample")},
                "view": record_view(record) if record is not None else None,
                "record": record,
            }
    return None


def compare(first: dict[str, Any], second: dict[str, Any]) -> list[dict[str, Any]]:
    """Metrics of two reports side by side: the difference, and whether the intervals overlap."""
    a = {m["name"]: m for m in _metrics(first.get("metrics"))}
    b = {m["name"]: m for m in _metrics(second.get("metrics"))}
    rows = []
    for name in [*a, *(n for n in b if n not in a)]:
        left, right = a.get(name), b.get(name)
        row: dict[str, Any] = {"name": name, "a": left, "b": right, "delta": None, "overlap": None}
        if left and right:
            row["delta"] = right["value"] - left["value"]
            if None not in (left["low"], left["high"], right["low"], right["high"]):
                row["overlap"] = left["low"] <= right["high"] and right["low"] <= left["high"]
        rows.append(row)
    return rows
