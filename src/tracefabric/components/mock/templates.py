"""Response templates: ``{{arg}}`` placeholders expanded from the call's arguments.

Placeholders expand everywhere in a response, object keys included, and may name nested
paths (``{{user.name}}``, ``{{items.0.sku}}``). A string that is exactly one placeholder
takes the argument's JSON value and type (``"{{count}}"`` with ``count=5`` gives ``5``);
inside longer text a value is written as text (strings as-is, anything else as compact
JSON). A placeholder naming an argument that is absent stays as written, so a template
mistake is visible in the data instead of silently becoming an empty string.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .paths import MISSING, resolve

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _substitute(text: str, args: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        value = resolve(args, match.group(1))
        return match.group(0) if value is MISSING else as_text(value)

    return PLACEHOLDER.sub(replace, text)


def render(value: Any, args: Any) -> Any:
    """A copy of `value` with every placeholder expanded."""
    if isinstance(value, str):
        if "{{" not in value:
            return value
        whole = PLACEHOLDER.fullmatch(value)
        if whole is not None:
            found = resolve(args, whole.group(1))
            return value if found is MISSING else found
        return _substitute(value, args)
    if isinstance(value, list):
        return [render(item, args) for item in value]
    if isinstance(value, dict):
        return {(_substitute(k, args) if "{{" in k else k): render(v, args) for k, v in value.items()}
    return value


def is_template(text: str) -> bool:
    return "{{" in text and PLACEHOLDER.search(text) is not None


def has_placeholders(value: Any) -> bool:
    if isinstance(value, str):
        return is_template(value)
    if isinstance(value, list):
        return any(has_placeholders(item) for item in value)
    if isinstance(value, dict):
        return any(is_template(k) or has_placeholders(v) for k, v in value.items())
    return False
