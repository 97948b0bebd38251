"""Argument paths: ``user.name`` or ``items.0.sku`` point into nested arguments.

A key that is itself a top-level argument name (dots included) wins over the nested
reading, so tools whose parameters contain dots still work.
"""

from __future__ import annotations

from typing import Any

MISSING = object()


def resolve(args: Any, path: str) -> Any:
    """The value at `path` in `args`, or `MISSING`."""
    if isinstance(args, dict) and path in args:
        return args[path]
    current = args
    for part in path.split("."):
        if isinstance(current, dict):
            if part not in current:
                return MISSING
            current = current[part]
        elif isinstance(current, list):
            if not part.isdigit() or int(part) >= len(current):
                return MISSING
            current = current[int(part)]
        else:
            return MISSING
    return current
