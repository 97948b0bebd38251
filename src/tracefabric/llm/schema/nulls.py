"""Nullable helpers: make a sub-schema accept null, and undo the nulls a strict model added.

OpenAI strict mode needs every property in `required`; optional properties are made nullable
instead, and a model answering `null` for one of them means "absent". `drop_added_nulls`
removes those nulls again so defaults apply (a pydantic field `x: int = 3` rejects `null`).
"""

from __future__ import annotations

import json
from typing import Any

from .validate import validator_for_text


def accepts_null(schema: Any) -> bool:
    if not isinstance(schema, dict) or not schema:
        return True  # {} accepts anything
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if "const" in schema and schema["const"] is None:
        return True
    if "enum" in schema and None in schema["enum"]:
        return True
    return any(accepts_null(b) for key in ("anyOf", "oneOf") for b in schema.get(key, []) or [])


def make_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if accepts_null(schema):
        return schema
    out = dict(schema)
    out.pop("default", None)
    kind = out.get("type")
    if isinstance(kind, str) and "$ref" not in out:
        out["type"] = [kind, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    if isinstance(kind, list):
        out["type"] = [*kind, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    if "anyOf" in out and len(out) == 1:
        return {"anyOf": [*out["anyOf"], {"type": "null"}]}
    if "enum" in out and "type" not in out:
        out["enum"] = [*out["enum"], None]
        return out
    description = out.pop("description", None)
    wrapped: dict[str, Any] = {"anyOf": [out, {"type": "null"}]}
    if description:
        wrapped["description"] = description
    return wrapped


def _fits(value: Any, schema: dict[str, Any], defs: dict[str, Any]) -> bool:
    material = {**schema, "$defs": defs} if defs else schema
    return bool(validator_for_text(json.dumps(material, sort_keys=True)).is_valid(value))


def drop_added_nulls(value: Any, schema: Any, defs: dict[str, Any] | None = None) -> Any:
    """`value` with `null`s removed where the original `schema` makes the property optional
    and not nullable. `schema` must have its refs inlined (see refs.inline_refs)."""
    if not isinstance(schema, dict):
        return value
    defs = defs if defs is not None else schema.get("$defs", {})
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches and isinstance(value, dict | list):
        for branch in branches:
            candidate = drop_added_nulls(json.loads(json.dumps(value)), branch, defs)
            if _fits(candidate, branch, defs):
                return candidate
        return value
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        for key in list(value):
            sub = properties.get(key)
            if sub is None:
                continue
            if value[key] is None and key not in required and not accepts_null(sub):
                del value[key]
            else:
                value[key] = drop_added_nulls(value[key], sub, defs)
        return value
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [drop_added_nulls(item, schema["items"], defs) for item in value]
    return value
