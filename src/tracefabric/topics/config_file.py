"""Read the `llm:` and `topics:` sections of a run config (YAML).

Other top-level sections (generation, output, ...) belong to later stages and are not
checked here. Errors are one line naming the file, the key and its location.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from tracefabric.errors import ConfigError
from tracefabric.llm import LLMConfig

from .config import TopicsConfig


def describe_validation_error(exc: ValidationError, section: str, model: type[BaseModel]) -> str:
    """`topics.dedup.treshold: unknown key (did you mean 'threshold'?)` for the first error."""
    errors = exc.errors()
    first = errors[0]
    location = section
    for part in first["loc"]:
        location += f"[{part}]" if isinstance(part, int) else f".{part}"
    if first["type"] == "extra_forbidden":
        message = "unknown key"
        allowed = _allowed_keys(model, first["loc"][:-1])
        if allowed:
            close = difflib.get_close_matches(str(first["loc"][-1]), allowed, n=1)
            message += f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(allowed)})"
    elif first["type"] == "missing":
        message = "required key is missing"
    else:
        message = first["msg"]
        if first["type"].startswith("value_error"):
            message = message.removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{location}: {message}{more}"


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(str(part))
        if field is None:
            return []
        current = _model_of(field.annotation)
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return []
    return [name for name, field in current.model_fields.items() if not field.exclude]


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def parse_sections(data: Any, source: str = "config") -> tuple[LLMConfig, TopicsConfig]:
    """Validate the top-level `llm` (default for every stage) and `topics` sections."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with a 'topics' section")
    llm_data = data.get("llm")
    try:
        base_llm = LLMConfig() if llm_data is None else LLMConfig.model_validate(llm_data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {describe_validation_error(exc, 'llm', LLMConfig)}") from None
    if "topics" not in data or data["topics"] is None:
        raise ConfigError(f"{source}: topics: section is missing (it needs at least 'prompt')")
    if not isinstance(data["topics"], dict):
        raise ConfigError(f"{source}: topics: expected a mapping, got {type(data['topics']).__name__}")
    try:
        topics = TopicsConfig.model_validate(data["topics"])
    except ValidationError as exc:
        raise ConfigError(f"{source}: {describe_validation_error(exc, 'topics', TopicsConfig)}") from None
    return base_llm, topics


def load_config_file(path: str | Path) -> tuple[LLMConfig, TopicsConfig]:
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}:{where}: invalid YAML: {problem}") from None
    return parse_sections(data, str(path))
