"""Reading and writing the mock's files: MCP tool lists and mock data, JSON or YAML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tracefabric.errors import ConfigError
from tracefabric.sandbox.api.wire import nested_too_deep

YAML_SUFFIXES = (".yaml", ".yml")
MAX_DEPTH = 64


def _yaml_loader(allow_aliases: bool) -> Any:
    import yaml

    if allow_aliases:
        return yaml.SafeLoader

    class NoAliasLoader(yaml.SafeLoader):
        """Refuses aliases: from an untrusted body they are how a small text expands without bound."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, "YAML aliases are not accepted here", event.start_mark
                )
            return super().compose_node(parent, index)

    return NoAliasLoader


def parse_text(text: str, *, yaml_first: bool = False, allow_aliases: bool = True) -> Any:
    """JSON, or else YAML. Raises ValueError with a one-line reason."""
    import yaml

    if not yaml_first:
        try:
            return json.loads(text)
        except ValueError:
            pass
    try:
        value = yaml.load(text, Loader=_yaml_loader(allow_aliases))  # a SafeLoader (subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"not valid JSON or YAML: {problem}{where}") from None
    if nested_too_deep(value, MAX_DEPTH):
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    return value


def read_document(path: str | Path) -> Any:
    """A JSON or YAML file's content (by suffix; other suffixes: JSON, else YAML)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text") from None
    try:
        return parse_text(text, yaml_first=file.suffix.lower() in YAML_SUFFIXES)
    except ValueError as exc:
        raise ConfigError(f"{file}: {exc}") from None


def dump_tools(tools: list[dict[str, Any]], path: str | Path | None = None) -> str:
    """``{"tools": [...]}`` as YAML when `path` ends in .yaml/.yml, else as JSON."""
    document = {"tools": tools}
    if path is not None and Path(path).suffix.lower() in YAML_SUFFIXES:
        import yaml

        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_tools(path: str | Path, tools: list[dict[str, Any]]) -> Path:
    """Write the tool list; the file appears complete or not at all."""
    file = Path(path)
    text = dump_tools(tools, file)
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(f".{file.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(file)
    return file
