"""Load a run config from YAML: validate strictly, translate DeepFabric 4.x configs, explain errors.

Every problem is reported as one line naming the field (`generation.tools.max_step: unknown
key (did you mean 'max_agent_steps'?)`); the CLI prints them and exits with status 2.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from tracefabric.errors import ConfigError

from .deepfabric import looks_like_deepfabric, translate_deepfabric
from .models import RunConfig


@dataclass
class LoadedConfig:
    config: RunConfig
    path: Path | None
    raw: dict[str, Any]
    notices: list[str] = field(default_factory=list)
    translated_from: str | None = None

    @property
    def base_dir(self) -> Path:
        """Input files named in the config (manifest, seed folders, mock files) resolve here."""
        return self.path.parent if self.path else Path.cwd()

    def resolve_input(self, value: str) -> Path:
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate


class ConfigErrors(ConfigError):
    """Several problems; `lines` holds one message per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def load_config(path: str | Path) -> LoadedConfig:
    file = Path(path)
    try:
        text = file.read_text()
    except FileNotFoundError:
        raise ConfigError(f"config file {file} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"config file {file}: {exc.strerror}") from None
    return parse_config(text, source=str(file), path=file)


def parse_config(text: str, *, source: str = "<config>", path: Path | None = None) -> LoadedConfig:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{source}: invalid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        raise ConfigError(f"{source}: the file is empty")
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with sections llm, topics, generation, output")
    for section in ("llm", "topics", "generation", "output"):
        if section in data and data[section] is not None and not isinstance(data[section], dict):
            raise ConfigError(f"{source}: {section}: expected a mapping, got {type(data[section]).__name__}")
    return config_from_dict(data, source=source, path=path)


def config_from_dict(
    data: dict[str, Any], *, source: str = "<config>", path: Path | None = None
) -> LoadedConfig:
    notices: list[str] = []
    translated_from = None
    raw = data
    if looks_like_deepfabric(data):
        data, dropped = translate_deepfabric(data)
        translated_from = "deepfabric-4"
        notices.append(f"{source}: DeepFabric 4.x config recognised and translated")
        if dropped:
            notices.append("keys with no tracefabric equivalent (ignored): " + ", ".join(dropped))
    try:
        config = RunConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigErrors([f"{source}: {line}" for line in explain(exc, RunConfig)]) from None
    return LoadedConfig(config, path, raw, notices, translated_from)


def explain(exc: ValidationError, root: type[BaseModel]) -> list[str]:
    """One line per problem: the dotted field, what is wrong, and a hint for typos."""
    lines: list[str] = []
    seen: set[str] = set()
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if not _is_union_tag(part)]
        where = ".".join(loc) or "(top level)"
        if where in seen:
            continue
        seen.add(where)
        kind = error["type"]
        if kind == "extra_forbidden":
            hint = _suggest(root, loc)
            lines.append(f"{where}: unknown key{hint}")
        elif kind == "missing":
            lines.append(f"{where}: required key is missing")
        else:
            value = error.get("input")
            shown = "" if isinstance(value, dict | list) else f" (got {value!r})"
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{where}: {message}{shown}")
    return lines


def _is_union_tag(part: object) -> bool:
    # pydantic puts the union member into the location ("int", "str", "list[str]", ...)
    return isinstance(part, str) and (part in {"int", "str", "float", "bool"} or "[" in part)


def _suggest(root: type[BaseModel], loc: list[str]) -> str:
    """A likely intended key, else the keys allowed there."""
    model: Any = root
    for part in loc[:-1]:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return ""
        annotation = fields[part].annotation
        model = _model_in(annotation)
        if model is None:
            return ""
    names = [name for name, field in getattr(model, "model_fields", {}).items() if not field.exclude]
    match = difflib.get_close_matches(loc[-1], names, n=1, cutoff=0.6)
    if match:
        return f" (did you mean '{match[0]}'?)"
    return f" (allowed: {', '.join(names)})" if names else ""


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
