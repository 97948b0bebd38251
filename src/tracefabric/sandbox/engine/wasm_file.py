"""Read a component's source file and compile it, saying plainly when it is not a component.

wasmtime compiles any bytes not starting with the wasm header as WAT text, and its parse
error quotes the offending line: pointed at /etc/passwd it would print the file's first
line. So a source is checked here before wasmtime sees it (a regular file, not empty, the
binary header of a component, or a `.wat` file), and wasmtime's errors are reduced to their
message and position: no byte of the file is ever echoed.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

from wasmtime import WasmtimeError
from wasmtime.component import Component

from tracefabric.errors import ConfigError

MAGIC = b"\0asm"
COMPONENT_VERSION = b"\x0d\x00\x01\x00"  # version 0x0d, layer 1: the component model
MODULE_VERSION = b"\x01\x00\x00\x00"  # a core module (what a plain wasm compiler emits)
TEXT_SUFFIX = ".wat"
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_POSITION = re.compile(r"-->\s*\S*?:(\d+):(\d+)")


class InvalidComponentFile(ConfigError):
    """A component `source` that is not a WebAssembly component; the message never quotes it."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"source {path} {reason}")
        self.path = path
        self.reason = reason


def read_component_file(path: Path) -> bytes:
    """The file's bytes, if it can be a component: binary with the component header, or `.wat`."""
    data = _open_checked(path, None)
    _check_header(path, data)
    return data


def check_component_file(path: Path) -> None:
    """`read_component_file`'s checks on the header alone (cheap: before a run starts)."""
    _check_header(path, _open_checked(path, len(MAGIC) + len(COMPONENT_VERSION)))


def _open_checked(path: Path, limit: int | None) -> bytes:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InvalidComponentFile(path, "does not exist") from None
    except OSError as exc:
        raise InvalidComponentFile(path, f"cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):  # a fifo or /dev/zero would block or never end
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise InvalidComponentFile(path, f"is {kind}, not a WebAssembly component")
    try:
        with open(path, "rb") as handle:
            data = handle.read() if limit is None else handle.read(limit)
    except OSError as exc:
        raise InvalidComponentFile(path, f"cannot be read ({exc.strerror})") from None
    if not data:
        raise InvalidComponentFile(path, "is empty (0 bytes), not a WebAssembly component")
    return data


def _check_header(path: Path, data: bytes) -> None:
    if path.suffix == TEXT_SUFFIX and not data.startswith(MAGIC):
        return  # WebAssembly text, compiled by wasmtime (its errors reduced to line and column)
    if not data.startswith(MAGIC):
        raise InvalidComponentFile(
            path, "is not a WebAssembly component (it does not start with the \\0asm header)"
        )
    version = data[4:8]
    if len(version) < 4:
        raise InvalidComponentFile(path, f"is truncated ({len(data)} bytes, not even a whole header)")
    if version == MODULE_VERSION:
        raise InvalidComponentFile(
            path,
            "is a core WebAssembly module, not a component: build it for the tracefabric:tool world "
            "(tracefabric component build, or wasm-tools component new)",
        )
    if version != COMPONENT_VERSION:
        raise InvalidComponentFile(path, f"has an unknown WebAssembly version/layer (0x{version.hex()})")


def compile_component(engine: Any, data: bytes, path: Path) -> Component:
    """Compile what `read_component_file` returned; `InvalidComponentFile` with wasmtime's reason."""
    try:
        return Component(engine, data)
    except WasmtimeError as exc:
        if data.startswith(MAGIC):
            cause = _binary_reason(str(exc))
            damaged = "end-of-file" in cause or "out of bounds" in cause
            reason = f"is not a valid WebAssembly component{' (truncated?)' if damaged else ''}: {cause}"
        else:
            reason = f"is not valid WebAssembly text: {_text_reason(str(exc))}"
        raise InvalidComponentFile(path, reason) from None


def _binary_reason(message: str) -> str:
    """wasmtime: 'failed to parse ...\\n\\nCaused by:\\n  0: ...\\n  1: root cause' → the root cause."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    root = lines[-1] if lines else "unknown error"
    root = re.sub(r"^\d+:\s*", "", root)
    return _printable(root)


def _text_reason(message: str) -> str:
    """The WAT parser's message and position, without the quoted source line (or quoted text)."""
    lines = message.splitlines()
    first = _QUOTED.sub("", lines[0] if lines else "").strip() or "parse error"
    position = _POSITION.search(message)
    where = f" (line {position.group(1)}, column {position.group(2)})" if position else ""
    return _printable(first) + where


def _printable(text: str, limit: int = 200) -> str:
    clean = "".join(ch if ch.isprintable() and ord(ch) < 0x7F else "?" for ch in text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"
