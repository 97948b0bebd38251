"""Gemini's `response_json_schema` accepts a subset of JSON Schema: keep that subset.

Supported (per the google-genai documentation): $id $defs $ref $anchor type format title
description enum (strings and numbers) items prefixItems minItems maxItems minimum maximum
anyOf oneOf properties additionalProperties required propertyOrdering. Everything else is
dropped; `const` becomes a one-value `enum` where it can; validation after the answer still
checks the full schema.
"""

from __future__ import annotations

from typing import Any

from .refs import inline_refs

SUPPORTED = frozenset(
    {
        "$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description", "enum", "items",
        "prefixItems", "minItems", "maxItems", "minimum", "maximum", "anyOf", "oneOf", "properties",
        "additionalProperties", "required", "propertyOrdering",
    }
)  # fmt: skip


def _enum_ok(values: list[Any]) -> bool:
    return all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values)


def to_gemini(schema: dict[str, Any]) -> dict[str, Any]:
    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = dict(node)
        if "const" in node:
            const = node.pop("const")
            if const is None:
                node["type"] = "null"
            elif _enum_ok([const]):
                node["enum"] = [const]
                if isinstance(const, str):
                    node.setdefault("type", "string")
        if "enum" in node and not _enum_ok(node["enum"]):
            values = node.pop("enum")
            kept = [v for v in values if _enum_ok([v])]
            if kept and None in values and len(kept) == len(values) - 1:
                node = {"anyOf": [{**node, "enum": kept}, {"type": "null"}]}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key not in SUPPORTED:
                continue
            if key in ("properties", "$defs") and isinstance(value, dict):
                out[key] = {name: walk(sub) for name, sub in value.items()}
            elif key == "additionalProperties" and not isinstance(value, dict):
                out[key] = value
            else:
                out[key] = walk(value)
        return out

    return walk(inline_refs(schema))
