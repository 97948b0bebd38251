"""GGUF key-value metadata, read without loading the model.

The `gguf` package (llama.cpp's) defines the format; we use its type table and key names.
Its `GGUFReader` materialises every array of the header as numpy views (151k tokens and
151k merges for Qwen2.5: 10-17 s per file on a 2-core machine), so we walk the same header
and skip arrays by their lengths (well under a second). A test checks that both readers agree
on the embedded model's file.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any, BinaryIO

_SCALARS = {  # GGUFValueType → struct format (little-endian)
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9


class GGUFError(ValueError):
    pass


def _read(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise GGUFError("truncated GGUF header")
    return data


def _scalar(handle: BinaryIO, kind: int) -> Any:
    fmt = _SCALARS.get(kind)
    if fmt is None:
        raise GGUFError(f"unknown GGUF value type {kind}")
    return struct.unpack(fmt, _read(handle, struct.calcsize(fmt)))[0]


def _string(handle: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", _read(handle, 8))
    return _read(handle, length).decode("utf-8", errors="replace")


def _skip_value(handle: BinaryIO, kind: int) -> None:
    if kind == _STRING:
        (length,) = struct.unpack("<Q", _read(handle, 8))
        handle.seek(length, 1)
    elif kind == _ARRAY:
        item_kind, count = struct.unpack("<IQ", _read(handle, 12))
        if item_kind in _SCALARS:
            handle.seek(struct.calcsize(_SCALARS[item_kind]) * count, 1)
        else:
            for _ in range(count):
                _skip_value(handle, item_kind)
    else:
        handle.seek(struct.calcsize(_SCALARS[kind]), 1)


def _header(handle: BinaryIO) -> int:
    from tracefabric.optional import require

    GGUF_MAGIC = require("gguf.constants", "templates", "reading a GGUF file").GGUF_MAGIC

    magic, version = struct.unpack("<II", _read(handle, 8))
    if magic != GGUF_MAGIC:
        raise GGUFError("not a GGUF file (bad magic)")
    if version < 2:
        raise GGUFError(f"GGUF version {version} is not supported")
    _tensors, kv_count = struct.unpack("<QQ", _read(handle, 16))
    return int(kv_count)


def read_gguf_metadata(path: str | Path, *, token_ids: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every scalar and string value of the header (arrays are skipped). For each key in
    `token_ids` (e.g. `tokenizer.ggml.bos_token_id`) whose id is set, the token's text is
    added under the same key with `_id` replaced by `` (e.g. `tokenizer.ggml.bos_token`)."""
    values: dict[str, Any] = {}
    tokens_at: int | None = None
    with open(path, "rb") as handle:
        for _ in range(_header(handle)):
            key = _string(handle)
            (kind,) = struct.unpack("<I", _read(handle, 4))
            if kind == _STRING:
                values[key] = _string(handle)
            elif kind == _ARRAY:
                if key == "tokenizer.ggml.tokens":
                    tokens_at = handle.tell()
                _skip_value(handle, kind)
            else:
                values[key] = _scalar(handle, kind)
        wanted = {key: values[key] for key in token_ids if isinstance(values.get(key), int)}
        if wanted and tokens_at is not None:
            texts = _token_texts(handle, tokens_at, set(wanted.values()))
            for key, token_id in wanted.items():
                if token_id in texts:
                    values[key.removesuffix("_id")] = texts[token_id]
    return values


def _token_texts(handle: BinaryIO, offset: int, ids: set[int]) -> dict[int, str]:
    handle.seek(offset)
    item_kind, count = struct.unpack("<IQ", _read(handle, 12))
    if item_kind != _STRING:
        return {}
    found: dict[int, str] = {}
    last = max(ids)
    for index in range(min(count, last + 1)):
        if index in ids:
            found[index] = _string(handle)
        else:
            (length,) = struct.unpack("<Q", _read(handle, 8))
            handle.seek(length, 1)
    return found
