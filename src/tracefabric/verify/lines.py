"""Read a JSONL dataset line by line without ever failing on a bad line.

Each non-blank line becomes a `Line`: the record object, or why the line is not one (NUL
bytes, not UTF-8, not JSON, a torn last line, a JSON value that is not an object). Only a
file that cannot be opened at all raises (`ConfigError`: the CLI exits 2).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracefabric.errors import ConfigError

_JSON_KIND = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as editors count
    record: dict[str, Any] | None
    problem: str | None = None  # set exactly when `record` is None


def read_lines(path: str | Path) -> Iterator[Line]:
    """The dataset's non-blank lines, in order. Raises `ConfigError` if it cannot be opened."""
    path = Path(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below; opening is the only fatal step
    except OSError as exc:
        raise ConfigError(f"cannot read dataset {path}: {exc.strerror or exc}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            yield _parse(number, raw)


def _parse(number: int, raw: bytes) -> Line:
    torn = not raw.endswith(b"\n")  # only the last line can lack its newline
    if b"\x00" in raw:
        where = raw.index(b"\x00")
        return Line(
            number, None, f"NUL bytes in the line (first at byte {where}): a zero-filled or torn write?"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Line(number, None, f"not UTF-8 text (byte {exc.start})")
    try:
        value = json.loads(text)
    except ValueError as exc:
        if torn:
            return Line(number, None, "torn last line: no newline at the end and not complete JSON")
        return Line(number, None, f"not JSON: {_short_json_error(exc)}")
    if not isinstance(value, dict):
        return Line(number, None, f"a JSON {_JSON_KIND[type(value)]}, not a record object")
    return Line(number, value)


def _short_json_error(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return str(exc)
