"""Inline local `$ref`s (`#/$defs/X`, `#/definitions/X`) so every provider sees one plain tree.

Recursive definitions cannot be inlined: those `$ref`s stay, with the `$defs` they need.
"""

from __future__ import annotations

import copy
from typing import Any

DEF_KEYS = ("$defs", "definitions")


def _lookup(root: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $refs are supported, got {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schema` with non-recursive refs replaced by their targets."""
    kept: set[str] = set()

    def walk(node: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in stack or ref == "#":
                kept.add(ref)
                return dict(node)
            target = walk(copy.deepcopy(_lookup(schema, ref)), (*stack, ref))
            siblings = {k: walk(v, stack) for k, v in node.items() if k != "$ref"}
            return {**target, **siblings} if isinstance(target, dict) else target
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in DEF_KEYS and node is schema:
                continue
            if key in ("properties", "$defs", "definitions", "patternProperties") and isinstance(value, dict):
                out[key] = {name: walk(sub, stack) for name, sub in value.items()}
            else:
                out[key] = walk(value, stack)
        return out

    result = walk(schema, ())
    if kept and isinstance(result, dict):
        # Keep the definitions that recursive refs still point to.
        for def_key in DEF_KEYS:
            defs = schema.get(def_key)
            if isinstance(defs, dict):
                used = {ref.split("/", 2)[2] for ref in kept if ref.startswith(f"#/{def_key}/")}
                if used:
                    result[def_key] = {name: defs[name] for name in used}
    return result


def has_refs(node: Any) -> bool:
    if isinstance(node, dict):
        return "$ref" in node or any(has_refs(v) for v in node.values())
    if isinstance(node, list):
        return any(has_refs(v) for v in node)
    return False
