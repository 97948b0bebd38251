"""What the model sees and answers in each ReAct step: a JSON protocol of our own.

(Native `tools=` through a chat template does not give parseable tool calls from the small
embedded models; a JSON schema with the tool name as a constant per tool and typed
arguments does, and constrained decoding holds every provider to it.)

The model answers `{"thought": ..., "action": {"tool_calls": [{"name", "arguments"}]}}` or
`{"thought": ..., "action": {"final_answer": ...}}`. Each step's prompt holds only what
has been observed so far.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .toolset import OfferedTool

# Keywords kept when an input schema is inlined into the step schema (constrained decoders
# and strict modes reject many others; the host validates the full schema anyway).
_KEEP = {
    "type",
    "properties",
    "required",
    "items",
    "enum",
    "const",
    "description",
    "anyOf",
    "oneOf",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "default",
    "additionalProperties",
}


def _clean(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key not in _KEEP:
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {name: _clean(sub) for name, sub in value.items()}
            elif key in ("items", "additionalProperties") and isinstance(value, dict):
                out[key] = _clean(value)
            elif key in ("anyOf", "oneOf") and isinstance(value, list):
                out[key] = [_clean(v) for v in value]
            else:
                out[key] = value
        return out
    return schema


def step_schema(tools: list[OfferedTool], *, max_calls: int, allow_tools: bool = True) -> dict[str, Any]:
    """The schema of one step's answer; `allow_tools=False` asks for the final answer only."""
    final = {
        "type": "object",
        "properties": {"final_answer": {"type": "string", "minLength": 1}},
        "required": ["final_answer"],
        "additionalProperties": False,
    }
    if allow_tools:
        calls = [
            {
                "type": "object",
                "properties": {"name": {"const": tool.name}, "arguments": _clean(tool.input_schema)},
                "required": ["name", "arguments"],
                "additionalProperties": False,
            }
            for tool in tools
        ]
        call_step = {
            "type": "object",
            "properties": {
                "tool_calls": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": max_calls,
                    "items": {"anyOf": calls},
                }
            },
            "required": ["tool_calls"],
            "additionalProperties": False,
        }
        action: dict[str, Any] = {"anyOf": [call_step, final]}
    else:
        action = final
    return {
        "type": "object",
        "properties": {"thought": {"type": "string"}, "action": action},
        "required": ["thought", "action"],
        "additionalProperties": False,
    }


def loose_step_schema() -> dict[str, Any]:
    """Accepts any arguments: a call whose arguments break the tool's schema is still executed
    (the real InvalidArguments error becomes part of the lesson)."""
    call = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "arguments": {"type": "object"}},
        "required": ["name", "arguments"],
    }
    return {
        "type": "object",
        "properties": {
            "thought": {"type": "string"},
            "action": {
                "anyOf": [
                    {
                        "type": "object",
                        "properties": {"tool_calls": {"type": "array", "minItems": 1, "items": call}},
                        "required": ["tool_calls"],
                    },
                    {
                        "type": "object",
                        "properties": {"final_answer": {"type": "string", "minLength": 1}},
                        "required": ["final_answer"],
                    },
                ]
            },
        },
        "required": ["thought", "action"],
    }


AGENT_SYSTEM = """You are {role}

You complete the user's request by calling tools. You only know what tool results have shown you:
never assume what a file contains or what a tool will return - call the tool and read the result.

How to work:
- Each turn, write a short thought, then either call tools or give the final answer.
- A request often needs several tool calls (for example: list files, then read one, then write one).
  Give the final answer only when every part of the request is done and you have seen the results.
- If a tool returns an error, read it and adapt (for example, list the files when one is missing).
- The final answer speaks to the user: say what you found or did, based on the tool results.

Tools:
{tools}

Reply with JSON only, one of:
{{"thought": "...", "action": {{"tool_calls": [{{"name": "<tool>", "arguments": {{...}}}}]}}}}
{{"thought": "...", "action": {{"final_answer": "..."}}}}"""


def render_tools(tools: list[OfferedTool]) -> str:
    return "\n".join(f"- {tool.signature()}: {tool.description.splitlines()[0]}" for tool in tools)


@dataclass
class CallRecord:
    call_id: str
    tool: OfferedTool | None
    name: str
    arguments: dict[str, Any]
    observation: str  # what the model saw (possibly truncated)
    success: bool
    error_type: str | None
    invalid_arguments: bool
    trace: dict[str, Any]


@dataclass
class Step:
    thought: str
    calls: list[CallRecord] = field(default_factory=list)


def observation_text(success: bool, result: str, error_type: str | None, limit: int) -> str:
    text = result if success else f"Error ({error_type}): {result}"
    if len(text) > limit:
        cut = len(text) - limit
        text = text[:limit] + f"\n... [truncated: {cut} more characters]"
    return text


def _step_message(step: Step) -> str:
    calls = [{"name": c.name, "arguments": c.arguments} for c in step.calls]
    return json.dumps({"thought": step.thought, "action": {"tool_calls": calls}}, ensure_ascii=False)


def _results_message(step: Step) -> str:
    parts = []
    for index, call in enumerate(step.calls, start=1):
        status = "ok" if call.success else "error"
        parts.append(f"[{index}] {call.name} ({status}):\n{call.observation}")
    return "Tool results:\n" + "\n\n".join(parts)


def step_messages(
    system: str, request: str, steps: list[Step], *, max_chars: int, hint: str | None = None
) -> list[dict[str, Any]]:
    """The prompt of the next step: request, then each earlier step and its results.

    When the history is too long, the oldest results are shortened first (the model keeps
    seeing that the calls happened, and the latest results in full)."""
    history: list[tuple[str, str]] = []
    for step in steps:
        history.append((_step_message(step), _results_message(step)))
    budget = max_chars - len(system) - len(request)
    total = sum(len(a) + len(b) for a, b in history)
    index = 0
    while total > budget and index < len(history) - 1:
        call, results = history[index]
        short = "Tool results: [omitted to save space; call the tool again if you need them]"
        total -= len(results) - len(short)
        history[index] = (call, short)
        index += 1
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system},
        {"role": "user", "content": request},
    ]
    for call, results in history:
        messages.append({"role": "assistant", "content": call})
        messages.append({"role": "user", "content": results})
    if hint:
        if messages[-1]["role"] == "user":
            messages[-1] = {**messages[-1], "content": messages[-1]["content"] + "\n\n" + hint}
        else:
            messages.append({"role": "user", "content": hint})
    return messages
