"""Quality gates: small functions that accept a record or say why not.

A gate takes `(record, context)` and returns None (pass) or a short reason. Sample kinds
add their own (the agent kind checks tool-call counts and answer order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracefabric.run.dataset import question_key, user_question

from .records import validate_record


@dataclass
class GateContext:
    """What gates may consult: fingerprints of the questions already in the dataset."""

    questions: set[bytes] = field(default_factory=set)


Gate = Callable[[dict[str, Any], GateContext], "str | None"]


def schema_valid(record: dict[str, Any], context: GateContext) -> str | None:
    problem = validate_record(record)
    return None if problem is None else f"schema: {problem}"


def non_empty_answer(record: dict[str, Any], context: GateContext) -> str | None:
    messages = record.get("messages") or []
    last = messages[-1] if messages else {}
    if last.get("role") != "assistant" or not str(last.get("content") or "").strip():
        return "empty_answer: the final assistant message is empty"
    if not user_question(record).strip():
        return "empty_question: the user message is empty"
    return None


def unique_question(record: dict[str, Any], context: GateContext) -> str | None:
    if question_key(user_question(record)) in context.questions:
        return "duplicate_question: the dataset already has this user question"
    return None


RECORD_GATES: list[Gate] = [schema_valid, non_empty_answer]
# Run at write time, in order, by the scheduler (they depend on what is already written).
DATASET_GATES: list[Gate] = [unique_question]


def reason_name(reason: str) -> str:
    return reason.split(":", 1)[0]
