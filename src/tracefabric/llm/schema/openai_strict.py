"""The schema rewrite OpenAI's strict structured output requires.

Strict mode accepts a subset of JSON Schema: every object lists all its properties in
`required` and sets `additionalProperties: false`; `oneOf` and `allOf` are not accepted; nor
are keywords such as `default`. We rewrite: refs inlined, optional properties made nullable
(the nulls are dropped again after the answer, see nulls.py), `oneOf` -> `anyOf` (the agent's
tool-call unions are disjoint through `const` names, so the meaning is the same), `const` ->
one-value `enum`, single `allOf` merged, unsupported annotations dropped.

A schema strict mode cannot express (a free-form object such as `dict[str, Any]`, `allOf`,
`not`, `if`/`then`, pattern properties) is sent with `strict: false`: the endpoint then
guides rather than guarantees, and our validation + repair loop does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .nulls import make_nullable
from .refs import inline_refs

DROPPED = frozenset(
    {
        "default", "examples", "$schema", "$id", "$comment", "discriminator", "deprecated",
        "readOnly", "writeOnly", "contentEncoding", "contentMediaType",
    }
)  # fmt: skip
NOT_STRICT = frozenset(
    {"not", "if", "then", "else", "patternProperties", "propertyNames", "dependentRequired",
     "dependentSchemas", "unevaluatedProperties", "unevaluatedItems", "contains"}
)  # fmt: skip


@dataclass(frozen=True)
class StrictSchema:
    schema: dict[str, Any]
    strict: bool  # False: send with strict=false (the endpoint cannot guarantee it)
    nulls_added: bool  # optional properties became nullable: drop their nulls afterwards
    original: dict[str, Any]  # the caller's schema with refs inlined (for drop_added_nulls)


def _type_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return None


def to_openai_strict(schema: dict[str, Any]) -> StrictSchema:
    original = inline_refs(schema)
    state = {"strict": original.get("type") == "object" or "properties" in original, "nulls": False}

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in DROPPED:
                continue
            if key in NOT_STRICT:
                state["strict"] = False
            if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
                out[key] = {name: walk(sub) for name, sub in value.items()}
            else:
                out[key] = walk(value)
        if "const" in out:
            const = out.pop("const")
            out["enum"] = [const]
            if "type" not in out and _type_of(const):
                out["type"] = _type_of(const)
        if "oneOf" in out:
            branches = out.pop("oneOf")
            if "anyOf" in out:
                state["strict"] = False
                out["allOf"] = [{"anyOf": out.pop("anyOf")}, {"anyOf": branches}]
            else:
                out["anyOf"] = branches
        if "allOf" in out:
            parts = out["allOf"]
            if len(parts) == 1 and isinstance(parts[0], dict):
                del out["allOf"]
                out = {**parts[0], **out}
            else:
                state["strict"] = False
        if out.get("type") == "object" or "properties" in out:
            extra = out.get("additionalProperties")
            if extra not in (None, False) or ("properties" not in out and extra is None):
                state["strict"] = False  # a free-form map
                return out
            properties = out.get("properties", {})
            required = set(out.get("required", []))
            for name, sub in properties.items():
                if name not in required and isinstance(sub, dict):
                    properties[name] = make_nullable(sub)
                    state["nulls"] = True
            out["properties"] = properties
            out["required"] = list(properties)
            out["additionalProperties"] = False
        return out

    rewritten = walk(original)
    return StrictSchema(
        schema=rewritten, strict=bool(state["strict"]), nulls_added=bool(state["nulls"]), original=original
    )
