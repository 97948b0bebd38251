"""Shared pieces of the HTTP adapters: schema preparation (cached) and prompt-side schemas."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from tracefabric.llm.schema import drop_added_nulls, schema_instruction
from tracefabric.llm.types import Message

T = TypeVar("T")


class SchemaMemo(Generic[T]):
    """Per-schema results of a rewrite, keyed by the schema object (kept alive so ids stay unique).

    Callers usually pass the same dict again (`schema_of` caches per pydantic class)."""

    def __init__(self, build: Callable[[dict[str, Any]], T], size: int = 256) -> None:
        self._build = build
        self._size = size
        self._items: OrderedDict[int, tuple[dict[str, Any], T]] = OrderedDict()

    def __call__(self, schema: dict[str, Any]) -> T:
        hit = self._items.get(id(schema))
        if hit is not None and hit[0] is schema:
            return hit[1]
        value = self._build(schema)
        self._items[id(schema)] = (schema, value)
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return value


def tool_name(name: str) -> str:
    """Names for json_schema / tools must match ^[a-zA-Z0-9_-]{1,64}$."""
    cleaned = re.sub(r"[^a-zA-Z0-9_-]", "_", name)[:64]
    return cleaned or "answer"


def with_schema_instruction(messages: list[Message], schema: dict[str, Any]) -> list[Message]:
    """Put the schema in the (first) system message, for endpoints that cannot enforce it."""
    instruction = schema_instruction(schema)
    out = list(messages)
    for index, message in enumerate(out):
        if message.get("role") == "system" and isinstance(message.get("content"), str):
            out[index] = {**message, "content": f"{message['content']}\n\n{instruction}"}
            return out
    return [{"role": "system", "content": instruction}, *out]


def restore_optional(text: str, original_schema: dict[str, Any]) -> str:
    """Drop the nulls a strict-mode answer gave for optional, non-nullable properties."""
    if "null" not in text:
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    return json.dumps(drop_added_nulls(data, original_schema))
