"""Stream a dataset's records, one line at a time: memory stays flat in the dataset's size.

A line that is not JSON or does not fit the record schema is a `BadRecord` (line number and
the first problem): skipped and reported through `on_bad`, or, with `strict`, the end of the
read (`DatasetError`, which the CLI shows as one `error:` line, exit 2).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from tracefabric.errors import ConfigError
from tracefabric.samples.records import Record

from .upgrade import upgrade_record


class DatasetError(ConfigError):
    """A dataset that cannot be read (missing, or a bad record under --strict)."""


@dataclass(frozen=True)
class BadRecord:
    path: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.problem}"


_validator = Record.__pydantic_validator__


def problem_of(record: Any) -> str | None:
    """None when `record` (already upgraded) fits the schema, else its first problem."""
    if not isinstance(record, dict):
        return "not a JSON object"
    try:
        _validator.validate_python(record)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        return f"{where}: {first['msg']}"
    except ValueError as exc:  # a validator's own error (e.g. arguments that are not JSON)
        return str(exc)
    return None


def parse_line(raw: bytes) -> tuple[Any, str | None]:
    """(value, None) or (None, problem). orjson parses in a third of the time; the standard
    library takes what it refuses (NaN, integers beyond 64 bits) so both read the same files."""
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError:
        try:
            return json.loads(raw), None
        except ValueError as exc:
            return None, f"not JSON ({exc})"


def shape_problem(record: Any) -> str | None:
    """The cheap check of `validate=False`: an object whose messages are a list of objects."""
    if not isinstance(record, dict):
        return "not a JSON object"
    messages = record.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return "messages: not a list of message objects"
    for index, message in enumerate(messages):
        calls = message.get("tool_calls")
        if calls is not None and not (
            isinstance(calls, list)
            and all(isinstance(c, dict) and isinstance(c.get("function"), dict) for c in calls)
        ):
            return f"messages.{index}.tool_calls: not a list of tool calls"
    if not isinstance(record.get("metadata"), dict):
        return "metadata: not an object"
    return None


def read_records(
    path: str | Path,
    *,
    strict: bool = False,
    validate: bool = True,
    shape: bool = True,
    on_bad: Callable[[BadRecord], None] | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each good record of a JSONL dataset, in file order.

    `validate=False` checks only the shape the caller relies on (`shape_problem`): for reports
    that must keep up with large files; exports validate every record. `validate=False,
    shape=False` only parses: for a caller that handles any shape itself."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such dataset file")
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            record, problem = parse_line(raw)
            if record is not None:
                record = upgrade_record(record)
                if validate:
                    problem = problem_of(record)
                elif shape:
                    problem = shape_problem(record)
                else:
                    problem = None if isinstance(record, dict) else "not a JSON object"
            if problem is not None:
                bad = BadRecord(str(path), number, problem)
                if strict:
                    raise DatasetError(f"{bad} (--strict stops at the first bad record)")
                if on_bad is not None:
                    on_bad(bad)
                continue
            yield number, record
