"""The dataset file is its own checkpoint: records are appended one line at a time and flushed.

A record is written with one `write` of its whole line, so a crash (even `kill -9`) leaves at
most a partial last line, which `scan` cuts off before a run resumes. Nothing before it is
ever rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]")


def normalise_question(text: str) -> str:
    return _SPACE.sub(" ", _PUNCT.sub(" ", text.lower())).strip()


def question_key(text: str) -> bytes:
    """Compact fingerprint of a normalised question (memory stays flat in the number of samples)."""
    return hashlib.blake2b(normalise_question(text).encode("utf-8"), digest_size=12).digest()


def user_question(record: dict[str, Any]) -> str:
    for message in record.get("messages", []):
        if message.get("role") == "user":
            return str(message.get("content") or "")
    return ""


@dataclass
class DatasetState:
    records: int = 0
    done_keys: set[str] = field(default_factory=set)
    questions: set[bytes] = field(default_factory=set)
    repaired_bytes: int = 0


def scan(path: Path) -> DatasetState:
    """Read an existing dataset (cutting off a torn last line) to know what is done."""
    state = DatasetState()
    if not path.exists():
        return state
    good_end = 0
    with open(path, "rb") as handle:
        offset = 0
        for raw in handle:
            offset += len(raw)
            if not raw.endswith(b"\n"):
                break  # a torn tail: the writer died mid-line
            try:
                record = json.loads(raw)
            except ValueError:
                break
            good_end = offset
            state.records += 1
            slot = (record.get("metadata") or {}).get("slot")
            if isinstance(slot, str):
                state.done_keys.add(slot)
            state.questions.add(question_key(user_question(record)))
    size = path.stat().st_size
    if good_end < size:
        state.repaired_bytes = size - good_end
        with open(path, "r+b") as handle:
            handle.truncate(good_end)
    return state


class DatasetWriter:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._handle: BinaryIO = open(path, "ab")  # noqa: SIM115 - held open for the run

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._handle.write(line.encode("utf-8"))
        self._handle.flush()

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
