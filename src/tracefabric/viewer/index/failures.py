"""The index of a failures file (`<dataset>.failures.jsonl`): one row per failed attempt with
its reason, whether the slot was given up, and whether the attempt left a whole record
(a record a quality gate rejected: the viewer shows its timeline)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tracefabric.dataset.reader import parse_line

from .jsonl import JsonlIndex

MESSAGE_CHARS = 500
FAILURE_FILTERS = ("reason", "final", "has_record")


def _topic(entry: dict[str, Any]) -> str:
    path = entry.get("topic_path")
    if not isinstance(path, list):
        return ""
    path = [str(p) for p in path]
    return " > ".join(path[1:] or path)


class FailurePreparer:
    """One line of a failures file → its row (without id; the line relative to its chunk)."""

    def collector(self) -> None:
        return None

    def prepare(
        self, split: str, line: int, offset: int, raw: bytes, value: Any, problem: str | None, collector: None
    ) -> tuple[Any, ...]:
        entry = value if isinstance(value, dict) else {"reason": "unreadable line", "message": problem or ""}
        raw_value = entry.get("raw")
        has_record = isinstance(raw_value, dict) and isinstance(raw_value.get("messages"), list)
        attempt = entry.get("attempt")
        when = entry.get("time")
        return (
            split,
            line,
            offset,
            len(raw),
            float(when) if isinstance(when, int | float) else None,
            str(entry.get("slot") or ""),
            _topic(entry),
            attempt if isinstance(attempt, int) else None,
            str(entry.get("reason") or "unknown"),
            int(bool(entry.get("final"))),
            int(has_record),
            str(entry.get("message") or "")[:MESSAGE_CHARS],
        )


class FailureIndex(JsonlIndex):
    kind = "failures"
    schema_version = 1

    def __init__(self, files: dict[str, Path], location: Path) -> None:
        super().__init__(files, location)
        self._next_id = 1
        self._rows: list[tuple[Any, ...]] = []

    def create_schema(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "CREATE TABLE failures (id INTEGER PRIMARY KEY, split TEXT, line INT, offset INT, length INT, "
            "time REAL, slot TEXT, topic TEXT, attempt INT, reason TEXT, final INT, has_record INT, message TEXT)"
        )

    def create_indexes(self, conn: sqlite3.Connection) -> None:
        conn.execute("CREATE INDEX failures_reason ON failures (reason, id)")
        conn.execute("CREATE UNIQUE INDEX failures_line ON failures (split, line)")

    def start(self, conn: sqlite3.Connection, fresh: bool) -> None:
        self._next_id = 1 if fresh else (conn.execute("SELECT max(id) FROM failures").fetchone()[0] or 0) + 1

    def preparer(self) -> FailurePreparer:
        return FailurePreparer()

    def add(self, item: tuple[Any, ...], first_line: int) -> None:
        split, line, *fields = item
        self._rows.append((self._next_id, split, line + first_line, *fields))
        self._next_id += 1

    def flush(self, conn: sqlite3.Connection) -> None:
        conn.executemany(f"INSERT INTO failures VALUES ({', '.join('?' * 13)})", self._rows)
        self._rows = []

    # -- reading ----------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        conn = self.connection()
        rows = conn.execute(
            "SELECT reason, count(*) AS attempts, sum(final) AS given_up, sum(has_record) AS records "
            "FROM failures GROUP BY reason ORDER BY attempts DESC"
        ).fetchall()
        return {
            "attempts": sum(r["attempts"] for r in rows),
            "given_up": sum(r["given_up"] for r in rows),
            "reasons": [dict(r) for r in rows],
        }

    @staticmethod
    def _where(params: Mapping[str, Sequence[str]]) -> tuple[str, list[Any]]:
        conditions: list[str] = []
        args: list[Any] = []
        for name in FAILURE_FILTERS:
            values = [v for v in params.get(name, ()) if v != ""]
            if not values:
                continue
            if name == "reason":
                conditions.append(f"reason IN ({', '.join('?' * len(values))})")
                args += values
            else:
                conditions.append(f"{name} = ?")
                args.append(1 if values[-1] in ("1", "true", "yes") else 0)
        search = [v for v in params.get("q", ()) if v.strip()]
        if search:
            for term in search[-1].split():
                conditions.append(
                    "(instr(lower(message), ?) > 0 OR instr(lower(topic), ?) > 0 OR instr(lower(slot), ?) > 0)"
                )
                args += [term.lower()] * 3
        return " AND ".join(conditions) or "1", args

    def list(
        self, params: Mapping[str, Sequence[str]], *, offset: int = 0, limit: int = 50
    ) -> dict[str, Any]:
        where, args = self._where(params)
        conn = self.connection()
        total = conn.execute(f"SELECT count(*) FROM failures WHERE {where}", args).fetchone()[0]
        limit = max(1, min(limit, 500))
        rows = conn.execute(
            f"SELECT id, split, line, time, slot, topic, attempt, reason, final, has_record, message "
            f"FROM failures WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
            [*args, limit, max(0, offset)],
        ).fetchall()
        return {"total": total, "offset": offset, "limit": limit, "items": [dict(r) for r in rows]}

    def entry(self, split: str, line: int) -> tuple[sqlite3.Row, Any] | None:
        row = (
            self.connection()
            .execute("SELECT * FROM failures WHERE split = ? AND line = ?", (split, line))
            .fetchone()
        )
        if row is None:
            return None
        value, problem = parse_line(self.raw_line(split, row["offset"], row["length"]))
        return row, value if value is not None else {"reason": "unreadable line", "message": problem}

    def neighbours(self, params: Mapping[str, Sequence[str]], record_id: int) -> dict[str, Any]:
        where, args = self._where(params)
        conn = self.connection()
        prev = conn.execute(
            f"SELECT split, line FROM failures WHERE {where} AND id < ? ORDER BY id DESC LIMIT 1",
            [*args, record_id],
        ).fetchone()
        nxt = conn.execute(
            f"SELECT split, line FROM failures WHERE {where} AND id > ? ORDER BY id LIMIT 1",
            [*args, record_id],
        ).fetchone()
        return {"previous": dict(prev) if prev else None, "next": dict(nxt) if nxt else None}
