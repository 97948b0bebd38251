"""`sharegpt`: `conversations` of `{"from", "value"}` turns, as LLaMA-Factory reads them
(`formatting: sharegpt`; Axolotl reads the same shape through a role mapping).

Roles: `human`, `gpt`, `function_call` (a JSON list of `{"name", "arguments"}` with arguments as
an object), `observation` (the tool results of one step, joined as LLaMA-Factory's own OpenAI
converter joins them). The system prompt goes to `system`, the tool definitions to `tools`
(a JSON string of function definitions). LLaMA-Factory needs human/observation turns at odd
positions and gpt/function_call at even ones; an assistant turn that both speaks and calls
tools keeps only the calls (its text is the model's thought: it is in `reasoning`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from .options import ConversionError, ExportOptions

# LLaMA-Factory's OpenAIDatasetConverter joins the results of parallel calls this way.
OBSERVATION_JOIN = "\n</tool_response>\n<tool_response>\n"


def conversations(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    system = ""
    turns: list[dict[str, str]] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            turns.append({"from": "observation", "value": OBSERVATION_JOIN.join(pending)})
            pending.clear()

    for index, message in enumerate(messages):
        role = message["role"]
        if role == "system" and index == 0:
            system = message.get("content") or ""
            continue
        if role == "tool":
            pending.append(message.get("content") or "")
            continue
        flush()
        if role == "assistant" and message.get("tool_calls"):
            calls = [
                {"name": c["function"]["name"], "arguments": orjson.loads(c["function"]["arguments"])}
                for c in message["tool_calls"]
            ]
            turns.append({"from": "function_call", "value": orjson.dumps(calls).decode()})
        elif role == "assistant":
            turns.append({"from": "gpt", "value": message.get("content") or ""})
        elif role == "user":
            turns.append({"from": "human", "value": message.get("content") or ""})
        else:
            raise ConversionError(f"messages.{index}: a {role} message here has no ShareGPT turn")
    flush()
    for position, turn in enumerate(turns):
        expected = ("human", "observation") if position % 2 == 0 else ("gpt", "function_call")
        if turn["from"] not in expected:
            raise ConversionError(
                f"turn {position} is {turn['from']!r} where ShareGPT expects {' or '.join(expected)}"
            )
    if len(turns) % 2:
        raise ConversionError("the conversation does not end with an assistant turn")
    return system, turns


def converter(options: ExportOptions) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def convert(record: dict[str, Any]) -> dict[str, Any]:
        system, turns = conversations(record["messages"])
        out: dict[str, Any] = {"conversations": turns, "system": system}
        if "tools" in record:
            out["tools"] = orjson.dumps([t.get("function", t) for t in record["tools"]]).decode()
        if "metadata" in record:
            out["metadata"] = record["metadata"]
        return out

    return convert
