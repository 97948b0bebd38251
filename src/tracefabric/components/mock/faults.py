"""Seeded fault injection: realistic error paths, reproducible under any scheduling.

Whether call number ``n`` of session ``s`` fails is decided by one uniform draw
``u = sha256(f"{seed}:{s}:{n}")[:8] / 2**64`` compared against the tool's fault rates, so
the same (seed, session, call index) always gives the same outcome: concurrent sessions
can't disturb each other, and a replay of a session fails exactly where the original did.

Configuration (per namespace)::

    {"seed": 7,                          # default 0
     "rate_limited": 0.1,                # these apply to every tool...
     "timeout": 0.02, "service_unavailable": 0.01,
     "retry_after": 5, "timeout_after": 30,   # seconds, shown in the error text
     "custom": [{"rate": 0.05, "error_type": "CardDeclined", "body": {...}}],
     "tools": {"charge_card": {"rate_limited": 0.3}}}   # ...and per tool, key by key

A tool's settings override the global ones key by key (a tool's ``custom`` list replaces
the global one). Per tool, the rates must add up to at most 1.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .errors import FormatError
from .templates import render

RATE_FIELDS = ("rate_limited", "timeout", "service_unavailable")
PROFILE_FIELDS = (*RATE_FIELDS, "retry_after", "timeout_after", "custom")
DEFAULTS: dict[str, Any] = {
    "rate_limited": 0.0,
    "timeout": 0.0,
    "service_unavailable": 0.0,
    "retry_after": 5,
    "timeout_after": 30,
    "custom": [],
}
ERROR_TYPES = {
    "rate_limited": "RateLimited",
    "timeout": "Timeout",
    "service_unavailable": "ServiceUnavailable",
}
ERROR_TYPE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
MAX_SECONDS = 86_400


def draw(seed: int, session_id: str, index: int) -> float:
    """The uniform number in [0, 1) that decides call `index` of `session_id`."""
    digest = hashlib.sha256(f"{seed}:{session_id}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def _rate(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise FormatError(path, f"must be a probability between 0 and 1, got {value!r}")
    return float(value)


def _seconds(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SECONDS:
        raise FormatError(
            path, f"must be a whole number of seconds between 0 and {MAX_SECONDS}, got {value!r}"
        )
    return value


def _custom(entries: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(entries, list):
        raise FormatError(path, "must be a list of {rate, error_type, message | body}")
    out: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        where = f"{path}[{i}]"
        if not isinstance(entry, dict):
            raise FormatError(where, "must be an object {rate, error_type, message | body}")
        unknown = sorted(set(entry) - {"rate", "error_type", "message", "body"})
        if unknown:
            raise FormatError(
                f"{where}.{unknown[0]}", "unknown field (expected rate, error_type, message, body)"
            )
        if "rate" not in entry:
            raise FormatError(f"{where}.rate", "is required")
        error_type = entry.get("error_type", "APIError")
        if not isinstance(error_type, str) or not ERROR_TYPE_RE.match(error_type):
            raise FormatError(
                f"{where}.error_type", "must be a name like 'CardDeclined' (letters, digits, '_')"
            )
        message = entry.get("message")
        if message is not None and not isinstance(message, str):
            raise FormatError(f"{where}.message", "must be a string")
        item: dict[str, Any] = {"rate": _rate(entry["rate"], f"{where}.rate"), "error_type": error_type}
        if "body" in entry:
            item["body"] = entry["body"]
        else:
            item["message"] = message or "The service returned an error."
        out.append(item)
    return out


def _profile(config: dict[str, Any], path: str) -> dict[str, Any]:
    """The profile fields present in `config`, checked."""
    profile: dict[str, Any] = {}
    for name in RATE_FIELDS:
        if name in config:
            profile[name] = _rate(config[name], f"{path}.{name}")
    for name in ("retry_after", "timeout_after"):
        if name in config:
            profile[name] = _seconds(config[name], f"{path}.{name}")
    if "custom" in config:
        profile["custom"] = _custom(config["custom"], f"{path}.custom")
    return profile


def _check_total(profile: dict[str, Any], path: str) -> None:
    total = sum(profile[name] for name in RATE_FIELDS) + sum(c["rate"] for c in profile["custom"])
    if total > 1 + 1e-9:
        raise FormatError(path, f"fault rates add up to {total:g}; they must add up to at most 1")


def normalize(config: Any, path: str = "faults") -> dict[str, Any] | None:
    """Check a fault configuration; returns its stored form (None or {} means no faults)."""
    if config is None:
        return None
    if not isinstance(config, dict):
        raise FormatError(path, "must be an object (see docs/mock.md, 'Fault injection')")
    allowed = {"seed", "tools", *PROFILE_FIELDS}
    unknown = sorted(set(config) - allowed)
    if unknown:
        raise FormatError(
            f"{path}.{unknown[0]}", f"unknown field (expected one of {', '.join(sorted(allowed))})"
        )
    seed = config.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise FormatError(f"{path}.seed", f"must be an integer, got {seed!r}")
    default = _profile(config, path)
    tools_config = config.get("tools") or {}
    if not isinstance(tools_config, dict):
        raise FormatError(f"{path}.tools", "must map tool names to fault settings")
    tools: dict[str, dict[str, Any]] = {}
    for name, entry in tools_config.items():
        where = f"{path}.tools.{name}"
        if not isinstance(entry, dict):
            raise FormatError(where, "must be an object of fault settings")
        unknown = sorted(set(entry) - set(PROFILE_FIELDS))
        if unknown:
            raise FormatError(
                f"{where}.{unknown[0]}", f"unknown field (expected one of {', '.join(PROFILE_FIELDS)})"
            )
        tools[name] = _profile(entry, where)
        _check_total(profile_for({"default": default, "tools": tools}, name), where)
    _check_total({**DEFAULTS, **default}, path)
    return {"seed": seed, "default": default, "tools": tools}


def profile_for(config: dict[str, Any], tool: str) -> dict[str, Any]:
    return {**DEFAULTS, **config.get("default", {}), **config.get("tools", {}).get(tool, {})}


def is_active(profile: dict[str, Any]) -> bool:
    return any(profile[name] > 0 for name in RATE_FIELDS) or any(c["rate"] > 0 for c in profile["custom"])


def choose(profile: dict[str, Any], u: float) -> dict[str, Any] | None:
    """The fault the draw `u` lands on, or None (the call goes through)."""
    threshold = 0.0
    for name in RATE_FIELDS:
        threshold += profile[name]
        if u < threshold:
            return {"kind": name}
    for entry in profile["custom"]:
        threshold += entry["rate"]
        if u < threshold:
            return {"kind": "custom", **entry}
    return None


def error_for(fault: dict[str, Any], profile: dict[str, Any], args: Any) -> tuple[str, str, dict[str, Any]]:
    """(error_type, the error text the model sees, meta for the trace)."""
    kind = fault["kind"]
    if kind == "custom":
        error_type = fault["error_type"]
        if "body" in fault:
            body = render(fault["body"], args)
            text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        else:
            text = render(fault["message"], args)
        return error_type, text, {"injected_fault": error_type}
    if kind == "rate_limited":
        seconds = profile["retry_after"]
        body = {
            "error": {
                "code": 429,
                "type": "rate_limit_exceeded",
                "message": f"Rate limit exceeded. Retry after {seconds} seconds.",
                "retry_after": seconds,
            }
        }
        return "RateLimited", json.dumps(body), {"injected_fault": "RateLimited", "retry_after": seconds}
    if kind == "timeout":
        seconds = profile["timeout_after"]
        body = {
            "error": {
                "code": 504,
                "type": "timeout",
                "message": f"The request timed out after {seconds} seconds.",
            }
        }
        return "Timeout", json.dumps(body), {"injected_fault": "Timeout"}
    body = {
        "error": {
            "code": 503,
            "type": "service_unavailable",
            "message": "The service is temporarily unavailable. Please try again later.",
        }
    }
    return "ServiceUnavailable", json.dumps(body), {"injected_fault": "ServiceUnavailable"}
