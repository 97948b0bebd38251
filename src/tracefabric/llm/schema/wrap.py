"""Some APIs want an object at the root (OpenAI json_schema, Anthropic tool input).
Other roots (a list, a string) are wrapped in {"value": ...} and unwrapped after."""

from __future__ import annotations

import json
from typing import Any

WRAP_KEY = "value"


def is_object_schema(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" or ("properties" in schema and "type" not in schema)


def wrap_root(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    if is_object_schema(schema):
        return schema, False
    defs = {k: schema[k] for k in ("$defs", "definitions") if k in schema}
    inner = {k: v for k, v in schema.items() if k not in defs}
    return {"type": "object", "properties": {WRAP_KEY: inner}, "required": [WRAP_KEY], **defs}, True


def unwrap_text(text: str) -> str:
    """The wrapped value as JSON text; unparseable text is returned as is (validation reports it)."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if isinstance(data, dict) and WRAP_KEY in data:
        return json.dumps(data[WRAP_KEY])
    return text
