"""What the index keeps of each record: list columns, facet values (the filters) and the
text full-text search sees. One pass over the record, nothing kept but these.

Facets are a registry: each names a URL parameter and how to read its values from a
record; the index stores every value as a (facet, value, record) row, so any filter is one
indexed lookup and new facets need no schema change.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tracefabric.topics.model import topic_id_for

from ..views.quality import accepted, gate_results, judge_score

PREVIEW_CHARS = 240
TEXT_PART_CHARS = 2000  # of each message, argument or thought given to full-text search
OBSERVATION_CHARS = 500  # of each tool result (often a whole file: its start is what one searches)


def _strings(values: Any) -> list[str]:
    return [str(v) for v in values] if isinstance(values, list) else []


@functools.lru_cache(maxsize=65536)
def _topic_ids(path: tuple[str, ...]) -> frozenset[str]:
    return frozenset(topic_id_for(path[: depth + 1]) for depth in range(len(path)))


def _topics(record: dict[str, Any], metadata: dict[str, Any]) -> Iterable[str]:
    """The record's topic and every topic above it (clicking a branch selects its leaves)."""
    ids = set(_topic_ids(tuple(_strings(metadata.get("topic_path")))))
    if isinstance(metadata.get("topic_id"), str):
        ids.add(metadata["topic_id"])
    return ids


def tools_called(record: dict[str, Any]) -> list[str]:
    names = set()
    for message in record.get("messages") or []:
        for call in message.get("tool_calls") or ():
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and function.get("name"):
                names.add(str(function["name"]))
    return sorted(names)


def _gates(record: dict[str, Any], metadata: dict[str, Any]) -> Iterable[str]:
    values = ["accepted" if accepted(metadata) else "rejected"]
    quality = metadata.get("quality")
    if isinstance(quality, dict):
        for gate in gate_results(quality):
            if gate["passed"] is not None:
                values.append(f"{gate['name']}:{'passed' if gate['passed'] else 'failed'}")
    return values


@dataclass(frozen=True)
class Facet:
    name: str  # the URL parameter
    label: str
    values: Callable[[dict[str, Any], dict[str, Any]], Iterable[str]]


FACETS: dict[str, Facet] = {
    facet.name: facet
    for facet in (
        Facet("kind", "kind", lambda r, m: [str(m.get("kind", "unknown"))]),
        Facet("topic", "topic", _topics),
        Facet("tool", "tool called", lambda r, m: tools_called(r)),
        Facet("error", "error type", lambda r, m: set(_strings(m.get("errors_seen")))),
        Facet("fault", "injected fault", lambda r, m: set(_strings(m.get("injected_faults")))),
        Facet("gate", "gate result", _gates),
    )
}


@dataclass
class Row:
    columns: dict[str, Any]
    tags: list[tuple[str, str]]
    text: str


def _search_text(record: dict[str, Any], metadata: dict[str, Any]) -> tuple[str, str, str]:
    """(the text full-text search sees, the user's request, the final answer), in one pass."""
    parts = [" ".join(_strings(metadata.get("topic_path"))), str(metadata.get("sample_id") or "")]
    question = answer = ""
    for message in record.get("messages") or ():
        role = message.get("role")
        content = message.get("content")
        if role == "system":
            continue
        if content:
            text = str(content)
            parts.append(text[: OBSERVATION_CHARS if role == "tool" else TEXT_PART_CHARS])
            if role == "user" and not question:
                question = text
            answer = text if role == "assistant" else ""
        else:
            answer = ""
        for call in message.get("tool_calls") or ():
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict):
                parts.append(str(function.get("name") or ""))
                parts.append(str(function.get("arguments") or "")[:TEXT_PART_CHARS])
    for step in record.get("reasoning") or ():
        if isinstance(step, dict) and step.get("thought"):
            parts.append(str(step["thought"])[:TEXT_PART_CHARS])
    return "\n".join(parts), question, answer


def extract(record: dict[str, Any]) -> Row:
    metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
    tags = [(facet.name, value) for facet in FACETS.values() for value in facet.values(record, metadata)]
    text, question, answer = _search_text(record, metadata)
    path = _strings(metadata.get("topic_path"))
    errors = metadata.get("errors_seen")
    faults = metadata.get("injected_faults")
    columns = {
        "sample_id": metadata.get("sample_id"),
        "kind": metadata.get("kind"),
        "topic": " > ".join(path[1:] or path),
        "steps": metadata.get("steps"),
        "tool_calls": metadata.get("tool_calls"),
        "errors": len(errors) if isinstance(errors, list) else 0,
        "faults": len(faults) if isinstance(faults, list) else 0,
        "accepted": int(accepted(metadata)),
        "judge": judge_score(metadata.get("quality")),
        "question": question[:PREVIEW_CHARS],
        "answer": answer[:PREVIEW_CHARS],
    }
    return Row(columns, tags, text)
