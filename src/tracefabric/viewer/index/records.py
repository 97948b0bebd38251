"""The index of a dataset: one row per record (where it is in its file, the list's columns),
its facet values, its searchable text, the bad lines, the statistics gathered on the way
(the stats library's collector, kept as JSON so a grown file only adds its new records) and
the statuses of a `tracefabric verify --json` report when one is given."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tracefabric.dataset.reader import BadRecord, parse_line, shape_problem
from tracefabric.dataset.upgrade import upgrade_record
from tracefabric.stats.collect import StatsCollector

from .jsonl import JsonlIndex
from .query import VERIFY_FACET, MatchCache, RecordQuery, list_records, neighbours
from .rows import extract
from .search import create_search_table, fts5_available

COLUMNS = (
    "sample_id",
    "kind",
    "topic",
    "steps",
    "tool_calls",
    "errors",
    "faults",
    "accepted",
    "judge",
    "question",
    "answer",
)


@dataclass(frozen=True)
class RecordPreparer:
    """One line of a dataset → (split, line, offset, length, problem, columns, tags, text);
    good records are counted in the chunk's statistics (bad ones by the index, which knows
    their line numbers)."""

    name: str

    def collector(self) -> StatsCollector:
        return StatsCollector(self.name)

    def prepare(
        self,
        split: str,
        line: int,
        offset: int,
        raw: bytes,
        value: Any,
        problem: str | None,
        collector: StatsCollector,
    ) -> tuple[Any, ...]:
        if value is not None:
            value = upgrade_record(value)
            problem = shape_problem(value)
        if problem is not None:
            return (split, line, offset, len(raw), problem)
        collector.add(value, split)
        row = extract(value)
        return (
            split,
            line,
            offset,
            len(raw),
            None,
            tuple(row.columns[c] for c in COLUMNS),
            row.tags,
            row.text,
        )


class RecordIndex(JsonlIndex):
    kind = "records"
    schema_version = 1

    def __init__(
        self, files: dict[str, Path], location: Path, *, name: str, use_fts: bool | None = None
    ) -> None:
        super().__init__(files, location)
        self.name = name
        self.use_fts = fts5_available() if use_fts is None else use_fts
        self.collector = StatsCollector(name)
        self._first_new_id = 1
        self._next_id = 1
        self._rows: list[tuple[Any, ...]] = []
        self._tags: list[tuple[str, str, int]] = []
        self._texts: list[tuple[int, str]] = []
        self._bad: list[tuple[str, int, str]] = []
        self.matches = MatchCache()

    @property
    def identity(self) -> str:
        return json.dumps({"base": super().identity, "fts": self.use_fts})

    def create_schema(self, conn: sqlite3.Connection) -> None:
        columns = ", ".join(COLUMNS)
        conn.execute(
            f"CREATE TABLE records (id INTEGER PRIMARY KEY, split TEXT, line INT, offset INT, length INT, {columns})"
        )
        conn.execute(
            "CREATE TABLE tags (facet TEXT, value TEXT, record INT, PRIMARY KEY (facet, value, record)) WITHOUT ROWID"
        )
        conn.execute("CREATE TABLE bad_lines (split TEXT, line INT, problem TEXT)")
        conn.execute(
            "CREATE TABLE verify (split TEXT, line INT, status TEXT, detail TEXT, problems TEXT, PRIMARY KEY (split, line))"
        )
        create_search_table(conn, self.use_fts)

    def create_indexes(self, conn: sqlite3.Connection) -> None:
        conn.execute("CREATE UNIQUE INDEX records_line ON records (split, line)")
        conn.execute("CREATE INDEX records_sample ON records (sample_id)")
        for column in ("steps", "tool_calls", "errors"):
            conn.execute(f"CREATE INDEX records_{column} ON records ({column}, id)")
        conn.execute("CREATE INDEX records_judge ON records (coalesce(judge, -1e308), id)")
        conn.execute("ANALYZE")

    def start(self, conn: sqlite3.Connection, fresh: bool) -> None:
        if fresh:
            self.collector = StatsCollector(self.name)
            self._next_id = 1
        else:
            row = conn.execute("SELECT value FROM meta WHERE key = 'stats'").fetchone()
            self.collector = StatsCollector.from_state(self.name, json.loads(row[0]))
            self._next_id = (conn.execute("SELECT max(id) FROM records").fetchone()[0] or 0) + 1
        self._first_new_id = self._next_id

    def preparer(self) -> RecordPreparer:
        return RecordPreparer(self.name)

    def add(self, item: tuple[Any, ...], first_line: int) -> None:
        split, line, offset, length, problem = item[:5]
        line += first_line
        if problem is not None:
            self._bad.append((split, line, problem))
            self.collector.bad(BadRecord(str(self.files[split]), line, problem))
            return
        columns, tags, text = item[5:]
        record_id = self._next_id
        self._next_id += 1
        self._rows.append((record_id, split, line, offset, length, *columns))
        self._tags.extend((facet, tag, record_id) for facet, tag in tags)
        self._texts.append((record_id, text))

    def add_stats(self, state: dict[str, Any]) -> None:
        self.collector.merge_state(state)

    def flush(self, conn: sqlite3.Connection) -> None:
        marks = ", ".join("?" * (5 + len(COLUMNS)))
        conn.executemany(f"INSERT INTO records VALUES ({marks})", self._rows)
        conn.executemany("INSERT OR IGNORE INTO tags VALUES (?, ?, ?)", self._tags)
        conn.executemany("INSERT INTO search (rowid, text) VALUES (?, ?)", self._texts)
        conn.executemany("INSERT INTO bad_lines VALUES (?, ?, ?)", self._bad)
        self._rows, self._tags, self._texts, self._bad = [], [], [], []

    def finish(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO meta VALUES ('stats', ?)",
            (orjson.dumps(self.collector.state()).decode(),),
        )
        # Records added now get the statuses of a verify report applied earlier.
        conn.execute(
            "INSERT OR IGNORE INTO tags SELECT ?, v.status, r.id FROM verify v "
            "JOIN records r ON r.split = v.split AND r.line = v.line WHERE r.id >= ?",
            (VERIFY_FACET, self._first_new_id),
        )

    # -- a verify report --------------------------------------------------------------
    def apply_verify(self, statuses: dict[str, list[dict[str, Any]]], fingerprint: str) -> bool:
        """Take the per-record statuses of a verify report ({split: report records}); False
        when the index already holds this report."""
        with self._write_lock:
            conn = self._writer()
            try:
                current = conn.execute("SELECT value FROM meta WHERE key = 'verify_report'").fetchone()
                if current and current[0] == fingerprint:
                    return False
                with conn:
                    conn.execute("DELETE FROM verify")
                    conn.execute("DELETE FROM tags WHERE facet = ?", (VERIFY_FACET,))
                    conn.executemany(
                        "INSERT OR REPLACE INTO verify VALUES (?, ?, ?, ?, ?)",
                        [
                            (
                                split,
                                int(entry["line"]),
                                str(entry.get("status")),
                                str(entry.get("detail") or ""),
                                json.dumps(entry.get("problems") or []),
                            )
                            for split, entries in statuses.items()
                            for entry in entries
                            if isinstance(entry, dict) and isinstance(entry.get("line"), int)
                        ],
                    )
                    conn.execute(
                        "INSERT OR IGNORE INTO tags SELECT ?, v.status, r.id FROM verify v "
                        "JOIN records r ON r.split = v.split AND r.line = v.line",
                        (VERIFY_FACET,),
                    )
                    conn.execute("INSERT OR REPLACE INTO meta VALUES ('verify_report', ?)", (fingerprint,))
            finally:
                conn.close()
            return True

    # -- reading ----------------------------------------------------------------------
    def stats(self) -> StatsCollector:
        """A collector holding everything indexed so far (finish it for `DatasetStats`)."""
        state = self.meta("stats")
        return StatsCollector.from_state(self.name, state) if state else StatsCollector(self.name)

    def content_key(self) -> tuple[Any, ...]:
        """What identifies the index's content (for caches): rebuilds, appended rows, verify report."""
        conn = self.connection()
        top = conn.execute("SELECT max(id) FROM records").fetchone()[0]
        report = conn.execute("SELECT value FROM meta WHERE key = 'verify_report'").fetchone()
        return (self.generation, top, report[0] if report else None)

    def list(self, query: RecordQuery, *, offset: int = 0, limit: int = 50) -> dict[str, Any]:
        return list_records(
            self.connection(),
            query,
            self.use_fts,
            offset=offset,
            limit=limit,
            cache=self.matches,
            version=self.content_key(),
        )

    def neighbours(self, query: RecordQuery, record_id: int) -> dict[str, Any]:
        return neighbours(
            self.connection(), query, self.use_fts, record_id, cache=self.matches, version=self.content_key()
        )

    def count(self) -> int:
        return int(self.connection().execute("SELECT count(*) FROM records").fetchone()[0])

    def bad_lines(self, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
        conn = self.connection()
        total = int(conn.execute("SELECT count(*) FROM bad_lines").fetchone()[0])
        rows = conn.execute("SELECT split, line, problem FROM bad_lines ORDER BY rowid LIMIT ?", (limit,))
        return total, [dict(row) for row in rows]

    def record(self, split: str, line: int) -> tuple[sqlite3.Row, dict[str, Any]] | None:
        row = (
            self.connection()
            .execute("SELECT * FROM records WHERE split = ? AND line = ?", (split, line))
            .fetchone()
        )
        if row is None:
            return None
        value, _ = parse_line(self.raw_line(split, row["offset"], row["length"]))
        if not isinstance(value, dict):
            return None  # the file changed under the index: the next refresh rebuilds it
        return row, upgrade_record(value)

    def verify_status(self, split: str, line: int) -> dict[str, Any] | None:
        row = (
            self.connection()
            .execute(
                "SELECT status, detail, problems FROM verify WHERE split = ? AND line = ?", (split, line)
            )
            .fetchone()
        )
        if row is None:
            return None
        return {"status": row["status"], "detail": row["detail"], "problems": json.loads(row["problems"])}
