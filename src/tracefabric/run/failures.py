"""The failures file: one JSON line per failed attempt, with the reason and the raw output."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any


class FailureLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.by_reason: Counter[str] = Counter()
        self.final: set[str] = set()  # slot keys that failed for good (skipped on resume)
        self.attempts_failed = 0
        if path.exists():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("final"):
                    self.final.add(entry.get("slot", ""))
                    self.by_reason[entry.get("reason", "unknown")] += 1
        self._handle = None

    def record(
        self,
        *,
        slot: str,
        topic_path: list[str],
        attempt: int,
        reason: str,
        message: str,
        final: bool,
        raw: Any = None,
    ) -> None:
        entry = {
            "time": round(time.time(), 3),
            "slot": slot,
            "topic_path": topic_path,
            "attempt": attempt,
            "reason": reason,
            "message": message[:2000],
            "final": final,
        }
        if raw is not None:
            entry["raw"] = raw if isinstance(raw, str) else json.loads(json.dumps(raw, default=str))
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
        self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._handle.flush()
        self.attempts_failed += 1
        if final:
            self.final.add(slot)
            self.by_reason[reason] += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
