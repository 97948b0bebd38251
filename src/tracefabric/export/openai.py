"""`openai`: the canonical chat JSONL (messages + tools + the rest), arguments as text or objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from .options import ExportOptions


def with_object_arguments(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for message in messages:
        calls = message.get("tool_calls")
        if calls:
            message = {
                **message,
                "tool_calls": [
                    {
                        **c,
                        "function": {**c["function"], "arguments": orjson.loads(c["function"]["arguments"])},
                    }
                    for c in calls
                ],
            }
        out.append(message)
    return out


def converter(options: ExportOptions) -> Callable[[dict[str, Any]], dict[str, Any]]:
    if options.arguments == "string":
        return lambda record: record
    return lambda record: {**record, "messages": with_object_arguments(record["messages"])}
