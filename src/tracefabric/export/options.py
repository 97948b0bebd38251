"""What every format shares: which records (`only`), which tools (`tools`), which fields (`drop`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tracefabric.errors import ConfigError
from tracefabric.stats.collect import accepted

DROPPABLE = ("tools", "reasoning", "metadata", "trace")
ONLY = ("accepted",)


class ConversionError(ValueError):
    """This record cannot be written in this format (reported with its line, then skipped)."""


@dataclass(frozen=True)
class ExportOptions:
    tools: Literal["all", "used"] = "all"
    drop: frozenset[str] = field(default_factory=frozenset)
    only: str | None = None
    strict: bool = False
    # openai: tool-call arguments as OpenAI's JSON text, or as objects (what chat templates want)
    arguments: Literal["string", "object"] = "string"
    # text: the chat template (tokenizer_config.json, .gguf, .jinja or a folder)
    template: str | Path | None = None
    # hf: the card's licence and extra tags, and a verify report to cite
    license: str | None = None
    tags: tuple[str, ...] = ()
    verify_report: str | Path | None = None
    repo_id: str | None = None  # hf: named in the card's usage snippet (set by push)

    def __post_init__(self) -> None:
        if self.tools not in ("all", "used"):
            raise ConfigError(f"--tools: {self.tools!r} is not one of all, used")
        unknown = set(self.drop) - set(DROPPABLE)
        if unknown:
            raise ConfigError(
                f"--drop: {', '.join(sorted(unknown))}: not a droppable field (one of {', '.join(DROPPABLE)})"
            )
        if self.only is not None and self.only not in ONLY:
            raise ConfigError(f"--only: {self.only!r} is not one of {', '.join(ONLY)}")
        if self.arguments not in ("string", "object"):
            raise ConfigError(f"--arguments: {self.arguments!r} is not one of string, object")


def without_nulls(value: Any) -> Any:
    """A JSON value with every null-valued object key removed (at any depth): what a table
    library's schema merge adds to tool schemas (`"file_path": null` in unrelated tools)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def used_tools(record: dict[str, Any]) -> list[dict[str, Any]]:
    names = {
        (call.get("function") or {}).get("name")
        for message in record.get("messages") or []
        for call in message.get("tool_calls") or []
    }
    return [
        without_nulls(tool)
        for tool in record.get("tools") or []
        if (tool.get("function") or {}).get("name") in names
    ]


def select(record: dict[str, Any], options: ExportOptions) -> dict[str, Any] | None:
    """The record as the export should see it, or None when `only` leaves it out."""
    if options.only == "accepted" and not accepted(record):
        return None
    if options.tools == "used":
        record = {**record, "tools": used_tools(record)}
    if options.drop:
        record = {k: v for k, v in record.items() if k not in options.drop}
    return record
