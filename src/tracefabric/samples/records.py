"""The record schema: OpenAI chat `messages` + `tools`, with `reasoning`, `metadata` and `trace`.

One schema for every kind (basic, cot, agent): each field is always present with the same
type (`tools` and `reasoning` always lists, `trace` an object or null), so any mix of kinds
loads as one table. `record.schema.json` next to this file is the same schema as JSON Schema
(`python -m tracefabric.samples.records` prints it; a test keeps the two equal).
"""

from __future__ import annotations

import json
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SCHEMA_VERSION = 2


class FunctionCall(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    arguments: str = Field(description="The call's arguments: a JSON object, as text (OpenAI's shape)")

    @field_validator("arguments")
    @classmethod
    def _json_object(cls, value: str) -> str:
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            parsed = json.loads(value)  # what orjson refuses (NaN, huge integers); raises if not JSON
        if not isinstance(parsed, dict):
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


class ReasoningStep(BaseModel):
    """One step of the model's reasoning: agent samples have one per tool step plus the final
    answer; cot samples one (the whole reasoning text); basic samples none."""

    model_config = ConfigDict(extra="forbid")
    step: int = Field(ge=1)
    thought: str
    action: str = Field(description="The tool calls made at this step, or 'final_answer'")


class RecordMetadata(BaseModel):
    """Fields every record has; kinds may add more (the agent's loop notes, quality results)."""

    model_config = ConfigDict(extra="allow")
    sample_id: str = Field(min_length=1)
    slot: str = Field(description="'<topic id>:<cycle>': the record's place in the run")
    topic_id: str
    topic_path: list[str]
    kind: Literal["basic", "cot", "agent"]
    provider: str
    model: str
    seed: int
    cycle: int = Field(ge=0)
    attempt: int = Field(ge=0)
    steps: int = Field(ge=0, description="Tool steps (assistant turns with tool calls)")
    tool_calls: int = Field(ge=0)
    errors_seen: list[str] = Field(description="error_type of each failed tool call, in order")
    injected_faults: list[str] = Field(description="Faults the mock tools injected, in order")
    invalid_arguments: int = Field(ge=0)
    quality: dict[str, Any] | None = Field(
        default=None,
        description="Quality-gate results; `quality.accepted` false marks a rejected record "
        "(absent: accepted, as every record in the dataset file is)",
    )


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", title="tracefabric record")
    messages: list[ChatMessage] = Field(min_length=2)
    tools: list[dict[str, Any]] = Field(description="OpenAI tool definitions offered; [] for basic/cot")
    reasoning: list[ReasoningStep]
    metadata: RecordMetadata
    trace: dict[str, Any] | None = Field(
        description="Agent samples: every tool call's request, response, timing and state digest"
    )


def validate_record(record: dict[str, Any]) -> str | None:
    """None when the record matches the schema, else the first problem."""
    try:
        Record.model_validate(record)
    except (ValidationError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            return f"{where}: {first['msg']}"
        return str(exc)
    return None


def json_schema() -> dict[str, Any]:
    schema = Record.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$comment"] = f"tracefabric record schema version {SCHEMA_VERSION}"
    return schema


if __name__ == "__main__":
    print(json.dumps(json_schema(), indent=2))
