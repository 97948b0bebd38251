"""JSON Schema checks of mock tools: their schemas, and responses against ``outputSchema``.

Done on the host with `jsonschema` (the engine that validates arguments), so input and
output checks mean the same thing. A stored response may be a template: a placeholder
stands for an argument whose value is only known at call time, so when a response is
added, whatever a placeholder could become is accepted (a rule that fails only on a
placeholder, or on an object with a templated key, is not held against it). The rendered
response is checked again on every call.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import SchemaError, ValidationError, best_match

from tracefabric.components.mock.templates import is_template

# Rules about an object's keys: a templated key may satisfy them once rendered.
KEY_RULES = {
    "required",
    "additionalProperties",
    "propertyNames",
    "dependentRequired",
    "minProperties",
    "maxProperties",
}

_cache: dict[str, Any] = {}
_lock = threading.Lock()


def _validator(schema: dict[str, Any]) -> Any:
    key = json.dumps(schema, sort_keys=True)
    validator = _cache.get(key)
    if validator is None:
        cls = validators.validator_for(schema, default=Draft202012Validator)
        validator = cls(schema)
        with _lock:
            _cache[key] = validator
    return validator


def schema_problem(schema: Any) -> str | None:
    """Why `schema` is not a valid JSON Schema, or None."""
    if not isinstance(schema, dict):
        return "must be a JSON Schema object"
    cls = validators.validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        return f"is not a valid JSON Schema: {exc.message}" + (f" (at {where})" if where else "")
    return None


def _location(error: ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [r for r in error.validator_value if r not in error.instance]
        if missing:
            parts.append(str(missing[0]))
    return ".".join(parts) or "(response)"


def _through_templated_key(response: Any, path: Any) -> bool:
    current = response
    for part in path:
        if isinstance(part, str) and is_template(part):
            return True
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            return False
    return False


def _wildcard(error: ValidationError, response: Any) -> bool:
    """Could a placeholder be what breaks this rule (so it can only be judged when rendered)?"""
    instance = error.instance
    if isinstance(instance, str) and is_template(instance):
        return True
    if _through_templated_key(response, error.absolute_path):
        return True
    if error.validator in KEY_RULES and isinstance(instance, dict) and any(is_template(k) for k in instance):
        return True
    if error.context:
        # anyOf / oneOf: fine if some branch fails only on placeholders.
        branches: dict[Any, list[ValidationError]] = defaultdict(list)
        for sub in error.context:
            branches[sub.relative_schema_path[0] if sub.relative_schema_path else None].append(sub)
        return any(all(_wildcard(sub, response) for sub in subs) for subs in branches.values())
    return False


def response_problem(schema: dict[str, Any], response: Any, *, templated: bool = False) -> str | None:
    """Why `response` breaks `schema` ("path: message (rule: r)"), or None.

    With `templated`, rules that only a placeholder breaks are passed over.
    """
    try:
        errors = list(_validator(schema).iter_errors(response))
    except Exception as exc:  # e.g. an unresolvable $ref: the schema can't judge anything
        return f"(outputSchema) cannot be evaluated: {type(exc).__name__}: {exc}"
    if templated:
        errors = [e for e in errors if not _wildcard(e, response)]
    if not errors:
        return None
    error = best_match(errors)
    return f"{_location(error)}: {error.message} (rule: {error.validator})"
