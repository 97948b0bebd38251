"""Records written before schema version 2 read as current ones.

Version 1 left `tools` out of basic/cot records, wrote cot `reasoning` as one string and had
no per-kind counts in `metadata`. The upgrade fills those in from the record itself, so old
datasets export, split and count like new ones. Current records pass through untouched.
"""

from __future__ import annotations

from typing import Any

_COUNTS = ("steps", "tool_calls", "errors_seen", "injected_faults", "invalid_arguments")


def upgrade_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record in the current schema (changed in place and returned)."""
    if not isinstance(record, dict):
        return record
    reasoning = record.get("reasoning")
    if isinstance(reasoning, str):
        record["reasoning"] = (
            [{"step": 1, "thought": reasoning, "action": "final_answer"}] if reasoning else []
        )
    elif reasoning is None:
        record["reasoning"] = []
    if record.get("tools") is None:
        record["tools"] = []
    record.setdefault("trace", None)
    metadata = record.get("metadata")
    if isinstance(metadata, dict) and not all(key in metadata for key in _COUNTS):
        calls = [
            call
            for message in record.get("messages") or []
            if isinstance(message, dict)
            for call in message.get("tool_calls") or []
        ]
        metadata.setdefault("steps", sum(1 for m in record.get("messages") or [] if _has_calls(m)))
        metadata.setdefault("tool_calls", len(calls))
        metadata.setdefault("errors_seen", [])
        metadata.setdefault("injected_faults", [])
        metadata.setdefault("invalid_arguments", 0)
    return record


def _has_calls(message: Any) -> bool:
    return (
        isinstance(message, dict) and message.get("role") == "assistant" and bool(message.get("tool_calls"))
    )
