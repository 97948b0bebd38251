"""One record as a timeline: system, user, each step (thought, calls with their arguments
and observations), the final answer with its grounding claims; plus quality, task and
provenance. Built here so the page only renders; works for every kind (basic and cot
records have no steps) and for records without a trace (observations are then read from
the tool messages, errors from their `Error (Type):` prefix).
"""

from __future__ import annotations

import json
import re
from typing import Any

from tracefabric.verify.agreement import agreement_problems

from .claims import locate_claims
from .quality import quality_view, task_view

_ERROR_PREFIX = re.compile(r"\AError \(([A-Za-z_][\w.]*)\): ")
# Shown in the summary and the timeline already; the rest of `metadata` is provenance.
_SUMMARY_KEYS = (
    "sample_id",
    "kind",
    "topic_id",
    "topic_path",
    "steps",
    "tool_calls",
    "errors_seen",
    "injected_faults",
    "invalid_arguments",
)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else json.dumps(value, ensure_ascii=False)


def _arguments(raw: Any) -> tuple[Any, str]:
    """(parsed arguments or None, the text as written)."""
    text = _text(raw)
    try:
        return json.loads(text), text
    except ValueError:
        return None, text


class _TraceCalls:
    """Trace calls matched to the messages' tool calls: by id, else in order."""

    def __init__(self, trace: Any) -> None:
        calls = trace.get("calls") if isinstance(trace, dict) else None
        self.calls = [c for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []
        self.by_id = {c["call_id"]: c for c in self.calls if isinstance(c.get("call_id"), str)}
        self.next = 0

    def match(self, call_id: Any) -> dict[str, Any] | None:
        found = self.by_id.get(call_id) if isinstance(call_id, str) else None
        if found is None and not self.by_id and self.next < len(self.calls):
            found = self.calls[self.next]
        self.next += 1
        return found


def _call(tool_call: Any, traced: dict[str, Any] | None, observation: str | None) -> dict[str, Any]:
    tool_call = tool_call if isinstance(tool_call, dict) else {}
    function = tool_call.get("function") if isinstance(tool_call.get("function"), dict) else {}
    args, args_text = _arguments(function.get("arguments"))
    view: dict[str, Any] = {
        "id": tool_call.get("id"),
        "name": _text(function.get("name")),
        "arguments": args,
        "arguments_text": args_text,
        "observation": observation,
        "success": None,
        "error_type": None,
        "injected_fault": None,
        "traced": traced is not None,
    }
    if traced is not None:
        response = traced.get("response") if isinstance(traced.get("response"), dict) else {}
        meta = traced.get("meta") if isinstance(traced.get("meta"), dict) else {}
        view.update(
            success=response.get("success") if isinstance(response.get("success"), bool) else None,
            error_type=response.get("error_type"),
            injected_fault=meta.get("injected_fault"),
            component=traced.get("component"),
            tool=traced.get("tool"),
            executed=traced.get("executed", "component" in traced),
            duration_ms=traced.get("duration_ms"),
            state_digest=traced.get("state_digest"),
            invalid_arguments=bool(traced.get("invalid_arguments")),
        )
    elif observation is not None:
        match = _ERROR_PREFIX.match(observation)
        view.update(success=match is None, error_type=match.group(1) if match else None)
    return view


def _thoughts(record: dict[str, Any]) -> tuple[list[str], str]:
    """(thought of each tool step, thought before the final answer)."""
    steps: list[str] = []
    final = ""
    for entry in record.get("reasoning") or []:
        if not isinstance(entry, dict):
            continue
        if entry.get("action") == "final_answer":
            final = _text(entry.get("thought"))
        else:
            steps.append(_text(entry.get("thought")))
    return steps, final


def timeline(record: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """(events in order, the final answer or None)."""
    messages = [m for m in record.get("messages") or [] if isinstance(m, dict)]
    observations = {
        m.get("tool_call_id"): _text(m.get("content")) for m in messages if m.get("role") == "tool"
    }
    answered: set[Any] = set()
    traced = _TraceCalls(record.get("trace"))
    step_thoughts, final_thought = _thoughts(record)
    metadata = record.get("metadata")
    kind = metadata.get("kind") if isinstance(metadata, dict) else None
    events: list[dict[str, Any]] = []
    answer: str | None = None
    last = len(messages) - 1
    for index, message in enumerate(messages):
        role = message.get("role")
        content = _text(message.get("content"))
        if role in ("system", "user"):
            events.append({"type": role, "text": content})
        elif role == "assistant" and message.get("tool_calls"):
            number = sum(1 for e in events if e["type"] == "step") + 1
            thought = step_thoughts[number - 1] if number <= len(step_thoughts) else content
            calls = []
            for tool_call in message["tool_calls"] if isinstance(message["tool_calls"], list) else []:
                call_id = tool_call.get("id") if isinstance(tool_call, dict) else None
                answered.add(call_id)
                calls.append(_call(tool_call, traced.match(call_id), observations.get(call_id)))
            events.append(
                {"type": "step", "number": number, "thought": thought, "content": content, "calls": calls}
            )
        elif role == "tool":
            if message.get("tool_call_id") not in answered:
                events.append({"type": "tool", "text": content, "tool_call_id": message.get("tool_call_id")})
        elif role == "assistant" and index == last:
            if kind == "cot" and step_thoughts:
                events.append({"type": "reasoning", "text": "\n\n".join(step_thoughts)})
            answer = content
            events.append({"type": "answer", "text": content, "thought": final_thought})
        elif role == "assistant":
            events.append({"type": "assistant", "text": content})
    return events, answer


def provenance(record: dict[str, Any]) -> dict[str, Any]:
    metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
    info: dict[str, Any] = {
        "metadata": {k: v for k, v in metadata.items() if k not in (*_SUMMARY_KEYS, "quality", "task")}
    }
    trace = record.get("trace")
    if isinstance(trace, dict):
        info["trace"] = {k: v for k, v in trace.items() if k != "calls"}
    return info


def record_view(record: dict[str, Any]) -> dict[str, Any]:
    metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
    events, answer = timeline(record)
    quality = quality_view(metadata)
    if answer is not None and quality and quality["claims"]:
        segments, located = locate_claims(answer, quality["claims"])
        for claim, found in zip(quality["claims"], located, strict=True):
            claim["located"] = found
        for event in events:
            if event["type"] == "answer":
                event["segments"] = segments
    agreement = None
    if isinstance(record.get("trace"), dict):
        agreement = [p.to_json() for p in agreement_problems(record)]
    tools = []
    for tool in record.get("tools") or []:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict):
            tools.append({"name": function.get("name"), "description": function.get("description")})
    return {
        "summary": {key: metadata.get(key) for key in _SUMMARY_KEYS},
        "events": events,
        "quality": quality,
        "task": task_view(metadata),
        "agreement": agreement,
        "tools": tools,
        "provenance": provenance(record),
    }
