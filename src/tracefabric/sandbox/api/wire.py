"""Wire-format helpers shared by the router and every transport (no heavy imports).

Both transports encode bodies with `encode_json` and build paths with `path_segment`, and
the router splits paths with `split_path`, so a request means the same thing whether it
travels over HTTP or stays in this process.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

from tracefabric.errors import ErrorType, SandboxError

JSON_CONTENT_TYPE = "application/json"


def encode_json(value: Any) -> bytes:
    """Strict JSON (no NaN/Infinity, which other parsers reject); a value JSON can't hold is
    the caller's mistake, raised before anything is sent."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SandboxError(
            ErrorType.INVALID_REQUEST, f"Invalid request: body is not JSON-serialisable ({exc})"
        ) from None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Text that is not Unicode (a lone surrogate) travels as a JSON escape, so the receiver
        # (the router, for both transports) decides what it means, and refuses it the same way.
        return json.dumps(value, separators=(",", ":"), allow_nan=False).encode("ascii")


def path_segment(value: Any) -> str:
    """One URL path segment: '/' and dot-segments are escaped so that they survive URL
    normalisation and reach the server (which rejects them) instead of changing the route."""
    text = quote(str(value), safe="")
    if text in (".", ".."):
        text = text.replace(".", "%2E")
    return text


def encode_query(query: Mapping[str, Any] | None) -> dict[str, str]:
    """Query values as the server sees them: text (booleans as 'true'/'false', None as '')."""
    out: dict[str, str] = {}
    for key, value in (query or {}).items():
        if value is None:
            out[str(key)] = ""
        elif isinstance(value, bool):
            out[str(key)] = "true" if value else "false"
        else:
            out[str(key)] = str(value)
    return out


def split_path(raw_path: str) -> list[str]:
    """The decoded, non-empty segments of a percent-encoded path."""
    return [unquote(part) for part in raw_path.split("/") if part]


MAX_JSON_DEPTH = 64


def nested_too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when lists/objects nest deeper than `limit` (checked without recursion, so a
    hostile document can't exhaust the stack of whoever walks it later)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False
