"""Parse and validate a model's answer against a pydantic model or a JSON schema.

Errors are `ValueError`s whose message is written for the model (it goes back in a repair turn).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from pydantic import BaseModel, ValidationError

MAX_ERRORS = 3


@functools.lru_cache(maxsize=512)
def _model_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def schema_of(schema: type[BaseModel] | dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of a pydantic model class (computed once per class), or the dict itself."""
    if isinstance(schema, dict):
        return schema
    return _model_schema(schema)


def strip_fences(text: str) -> str:
    """Models sometimes wrap JSON in ``` fences even when asked not to."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        if stripped.rstrip().endswith("```"):
            stripped = stripped.rstrip()[:-3]
    return stripped.strip()


@functools.lru_cache(maxsize=256)
def validator_for_text(schema_json: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(schema_json))


# The same schema object is usually validated against again and again (an agent's step
# schema, every step): look its validator up by identity before serialising it for the cache.
_by_identity: dict[int, tuple[dict[str, Any], Any]] = {}


def _validator(schema: dict[str, Any]) -> Any:
    entry = _by_identity.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    validator = validator_for_text(json.dumps(schema, sort_keys=True))
    if len(_by_identity) > 1024:
        _by_identity.clear()
    _by_identity[id(schema)] = (schema, validator)  # holding the schema keeps its id unique
    return validator


def _where(path: Any) -> str:
    return ".".join(str(p) for p in path) or "(root)"


def validate_answer(schema: type[BaseModel] | dict[str, Any], text: str) -> Any:
    """The validated value (a model instance or, for a dict schema, the parsed JSON)."""
    cleaned = strip_fences(text)
    if isinstance(schema, dict):
        try:
            data = json.loads(cleaned)
        except ValueError as exc:
            raise ValueError(f"Your answer is not valid JSON: {exc}") from None
        validator = _validator(schema)
        if validator.is_valid(data):
            return data
        errors = sorted(
            validator.iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.absolute_path))
        )
        if errors:
            from jsonschema.exceptions import best_match

            first = best_match(errors)
            details = [f"at {_where(first.absolute_path)}: {first.message}"]
            details += [f"at {_where(e.absolute_path)}: {e.message}" for e in errors if e is not first]
            raise ValueError("Your answer does not match the schema " + "; ".join(details[:MAX_ERRORS]))
        return data
    try:
        return schema.model_validate_json(cleaned)
    except ValidationError as exc:
        errors = exc.errors()
        if errors and errors[0]["type"] == "json_invalid":
            raise ValueError(f"Your answer is not valid JSON: {errors[0]['msg']}") from None
        details = [f"at {_where(e['loc'])}: {e['msg']}" for e in errors[:MAX_ERRORS]]
        raise ValueError("Your answer does not match the schema " + "; ".join(details)) from None


def schema_instruction(schema: dict[str, Any]) -> str:
    """Prompt text for endpoints that cannot enforce a schema themselves."""
    return (
        "Answer with one JSON value only (no prose, no code fences) that satisfies this JSON schema:\n"
        + json.dumps(schema, separators=(",", ":"))
    )
