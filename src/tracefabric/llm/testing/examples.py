"""A minimal value that satisfies a JSON schema (for the stub server's default answers)."""

from __future__ import annotations

from typing import Any


def example_for(schema: Any, root: dict[str, Any] | None = None, depth: int = 0) -> Any:
    if not isinstance(schema, dict) or depth > 20:
        return None
    root = root if root is not None else schema
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            if part:
                target = target[part]
        return example_for(target, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return next((v for v in schema["enum"] if v is not None), schema["enum"][0])
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            branches = [b for b in schema[key] if not (isinstance(b, dict) and b.get("type") == "null")]
            return example_for((branches or schema[key])[0], root, depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(part)
        return example_for(merged, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {
            name: example_for(sub, root, depth + 1) for name, sub in (schema.get("properties") or {}).items()
        }
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        if schema.get("maxItems") == 0:
            count = 0
        return [example_for(schema.get("items", {}), root, depth + 1) for _ in range(count)]
    if kind == "string":
        return "x" * max(int(schema.get("minLength", 0)), 7) if "minLength" in schema else "example"
    if kind == "integer":
        return int(schema.get("minimum", 0))
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return "example"
