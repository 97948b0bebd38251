"""The record schema: OpenAI chat `messages` (+ `tools`, `reasoning`, `metadata`, `trace`).

The same shape DeepFabric writes, so existing training code reads it.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class FunctionCall(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    arguments: str  # a JSON object, as text

    @field_validator("arguments")
    @classmethod
    def _json_object(cls, value: str) -> str:
        if not isinstance(json.loads(value), dict):
            raise ValueError("arguments must be a JSON object")
        return value


class ToolCall(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    type: Literal["function"] = "function"
    function: FunctionCall


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")
    messages: list[ChatMessage] = Field(min_length=2)
    tools: list[dict[str, Any]] | None = None
    reasoning: str | list[dict[str, Any]] | None = None
    metadata: dict[str, Any]
    trace: dict[str, Any] | None = None


def validate_record(record: dict[str, Any]) -> str | None:
    """None when the record matches the schema, else the first problem."""
    from pydantic import ValidationError

    try:
        Record.model_validate(record)
    except (ValidationError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            return f"{where}: {first['msg']}"
        return str(exc)
    return None
