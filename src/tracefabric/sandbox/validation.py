"""Host-side argument validation against a tool's `inputSchema` (JSON Schema), defaults applied.

Guests can't load native extensions, so validation is the host's job: a call whose arguments
break the schema never reaches the guest and answers `InvalidArguments` naming the path and
the rule, as a real server would.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import SchemaError, ValidationError, best_match


def _extend_with_defaults(base: type) -> type:
    """A validator that fills in `default` values of properties (the jsonschema FAQ recipe)."""
    validate_properties = base.VALIDATORS["properties"]

    def set_defaults(
        validator: Any, properties: Any, instance: Any, schema: Any
    ) -> Iterator[ValidationError]:
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if isinstance(sub, dict) and "default" in sub and name not in instance:
                    instance[name] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return validators.extend(base, {"properties": set_defaults})


class ArgumentError(ValueError):
    """Arguments that break the schema; `str()` is the message for the model."""


def _path(error: ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [r for r in error.validator_value if r not in error.instance]
        if missing:
            parts.append(str(missing[0]))
    return ".".join(parts) or "(arguments)"


class SchemaValidators:
    """Compiled validators, cached by schema text (tools are validated on every call)."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _validator(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        validator = self._cache.get(key)
        if validator is None:
            cls = validators.validator_for(schema, default=Draft202012Validator)
            try:
                cls.check_schema(schema)
            except SchemaError as exc:
                raise ArgumentError(f"the tool's inputSchema is invalid: {exc.message}") from None
            validator = _extend_with_defaults(cls)(schema)
            with self._lock:
                self._cache[key] = validator
        return validator

    def validate(self, tool: str, schema: dict[str, Any] | None, args: Any) -> dict[str, Any]:
        """Return the arguments with defaults applied, or raise ArgumentError."""
        if not isinstance(args, dict):
            raise ArgumentError(f"Invalid arguments for {tool}: arguments must be a JSON object")
        if not schema:
            return args
        instance = copy.deepcopy(args)
        error = best_match(self._validator(schema).iter_errors(instance))
        if error is not None:
            raise ArgumentError(
                f"Invalid arguments for {tool}: {_path(error)}: {error.message} (rule: {error.validator})"
            )
        return instance


def invalid_text_path(value: Any, path: str = "") -> str | None:
    """Where `value` holds text that is not Unicode (a lone surrogate such as "\\ud800", which
    JSON can spell but UTF-8 cannot): its path ('file_path', 'files.0', a key's own path), or
    None. Walked without recursion, so a deep document can't exhaust the stack."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if not _encodable(item):
                return where or "(value)"
        elif isinstance(item, dict):
            for key, sub in item.items():
                child = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and not _encodable(key):
                    return child.encode("utf-8", "backslashreplace").decode("ascii", "replace")
                stack.append((sub, child))
        elif isinstance(item, list):
            stack.extend((sub, f"{where}.{i}" if where else str(i)) for i, sub in enumerate(item))
    return None


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
