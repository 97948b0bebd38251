"""Fixture matching: which stored response answers a call.

A fixture's ``match`` maps argument paths (``city``, ``user.id``, ``items.0.sku``) to
expected values. A plain value must equal the argument exactly (JSON equality: ``1`` equals
``1.0`` but never ``true`` or ``"1"``). For strings, ``{"$glob": "ord_*"}`` and
``{"$regex": "ord_[0-9]+"}`` match patterns against the whole string.

Specificity: the fixture with the most criteria wins; among those, the one with more exact
(non-pattern) criteria; remaining ties go to the fixture added first. An empty ``match``
matches every call, with the lowest specificity.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from .errors import FormatError
from .paths import MISSING, resolve

OPERATORS = ("$glob", "$regex")
MAX_PATTERN_CHARS = 1000


def is_pattern(expected: Any) -> bool:
    return isinstance(expected, dict) and len(expected) == 1 and next(iter(expected)) in OPERATORS


def check_match(match: Any, path: str) -> dict[str, Any]:
    """Validate a fixture's `match` (raises FormatError naming the field)."""
    if match is None:
        return {}
    if not isinstance(match, dict):
        raise FormatError(path, "must be an object mapping argument paths to expected values")
    for key, expected in match.items():
        where = f"{path}.{key}" if path else key
        if not key:
            raise FormatError(where, "an argument path can't be empty")
        if isinstance(expected, dict) and any(k.startswith("$") for k in expected):
            if not is_pattern(expected):
                raise FormatError(
                    where,
                    f"a pattern is one of {{'$glob': ...}} or {{'$regex': ...}}, got {sorted(expected)}",
                )
            operator, pattern = next(iter(expected.items()))
            if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN_CHARS:
                raise FormatError(
                    where, f"{operator} needs a string of at most {MAX_PATTERN_CHARS} characters"
                )
            if operator == "$regex":
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise FormatError(where, f"invalid regular expression: {exc}") from None
    return match


def json_equal(expected: Any, actual: Any) -> bool:
    """Equality as JSON means it: numbers by value, booleans never equal to numbers."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return expected == actual
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(json_equal(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            json_equal(a, b) for a, b in zip(expected, actual, strict=True)
        )
    return type(expected) is type(actual) and expected == actual


def _pattern_matches(pattern: dict[str, str], actual: Any) -> bool:
    if not isinstance(actual, str):
        return False
    operator, text = next(iter(pattern.items()))
    if operator == "$glob":
        return fnmatch.fnmatchcase(actual, text)
    return re.fullmatch(text, actual) is not None


def specificity(match: dict[str, Any], args: Any) -> tuple[int, int] | None:
    """(criteria, exact criteria) when every criterion holds, else None."""
    exact = 0
    for key, expected in match.items():
        actual = resolve(args, key)
        if actual is MISSING:
            return None
        if is_pattern(expected):
            if not _pattern_matches(expected, actual):
                return None
        elif json_equal(expected, actual):
            exact += 1
        else:
            return None
    return len(match), exact


def select(fixtures: list[dict[str, Any]], args: Any) -> int | None:
    """Index of the most specific matching fixture (the first added on a tie), or None."""
    best: int | None = None
    best_rank: tuple[int, int] | None = None
    for index, fixture in enumerate(fixtures):
        rank = specificity(fixture.get("match") or {}, args)
        if rank is not None and (best_rank is None or rank > best_rank):
            best, best_rank = index, rank
    return best


def identity(match: dict[str, Any]) -> str:
    """Two fixtures with the same identity are the same fixture (adding one replaces the other)."""
    return json.dumps(match, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def fixture_key(match: dict[str, Any]) -> str:
    """DeepFabric's display key: sorted ``k=v`` parts joined by commas."""
    parts = [
        f"{k}={v if isinstance(v, str) else json.dumps(v, separators=(',', ':'))}" for k, v in match.items()
    ]
    return ",".join(sorted(parts))


def from_deepfabric_key(key: str, path: str) -> dict[str, Any]:
    """A DeepFabric ``mockFixtures`` key (``"a=1,b=x"``) as a match object.

    DeepFabric compared text; here a value that reads as a JSON number, boolean or null is
    that value and anything else is a string.
    """
    match: dict[str, Any] = {}
    for part in key.split(","):
        if "=" not in part:
            continue  # DeepFabric ignores parts without '='
        name, _, text = part.partition("=")
        value: Any = text
        try:
            parsed = json.loads(text)
        except ValueError:
            pass
        else:
            if parsed is None or isinstance(parsed, (bool, int, float)):
                value = parsed
        if not name:
            raise FormatError(path, f"fixture key {key!r} has an empty argument name")
        match[name] = value
    return match
