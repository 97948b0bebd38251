"""The records list: filters from URL parameters, turned into one SQL query, paged on the server.

Parameters: a facet name (`kind`, `topic`, `tool`, `error`, `fault`, `gate`, `verify`) with
a value (repeat it for any of several values); `judge_min` / `judge_max`; `q` (full-text);
`split`; `sort` (`line`, `steps`, `tool_calls`, `errors`, `judge`, `-` in front for
descending); `offset` and `limit`. Facets combine with AND, values of one facet with OR.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracefabric.errors import ConfigError

from .records import VERIFY_FACET
from .rows import FACETS
from .search import search_clause

FILTER_FACETS = (*FACETS, VERIFY_FACET)
SORTS = {
    "line": "r.id",
    "steps": "r.steps",
    "tool_calls": "r.tool_calls",
    "errors": "r.errors",
    "judge": "coalesce(r.judge, -1e308)",
}
MAX_LIMIT = 500
LIST_COLUMNS = "r.id, r.split, r.line, r.sample_id, r.kind, r.topic, r.steps, r.tool_calls, r.errors, r.faults, r.accepted, r.judge, r.question, r.answer"


class BadQuery(ConfigError):
    """A filter the list can't apply (answered as HTTP 400)."""


@dataclass
class RecordQuery:
    facets: dict[str, list[str]] = field(default_factory=dict)
    judge_min: float | None = None
    judge_max: float | None = None
    search: str = ""
    split: str | None = None
    sort: str = "line"
    descending: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str]]) -> RecordQuery:
        query = cls()
        for name, values in params.items():
            values = [v for v in values if v != ""]
            if not values:
                continue
            if name in FILTER_FACETS:
                query.facets[name] = list(dict.fromkeys(values))
            elif name in ("judge_min", "judge_max"):
                try:
                    setattr(query, name, float(values[-1]))
                except ValueError:
                    raise BadQuery(f"{name}: {values[-1]!r} is not a number") from None
            elif name == "q":
                query.search = values[-1]
            elif name == "split":
                query.split = values[-1]
            elif name == "sort":
                key = values[-1]
                query.descending = key.startswith("-")
                query.sort = key.lstrip("-")
                if query.sort not in SORTS:
                    raise BadQuery(f"sort: {key!r} is not one of {', '.join(SORTS)} (with - for descending)")
        return query

    def where(self, use_fts: bool) -> tuple[str, list[Any]]:
        conditions: list[str] = []
        params: list[Any] = []
        for facet, values in self.facets.items():
            marks = ", ".join("?" * len(values))
            conditions.append(f"r.id IN (SELECT record FROM tags WHERE facet = ? AND value IN ({marks}))")
            params += [facet, *values]
        if self.judge_min is not None:
            conditions.append("r.judge >= ?")
            params.append(self.judge_min)
        if self.judge_max is not None:
            conditions.append("r.judge <= ?")
            params.append(self.judge_max)
        if self.split is not None:
            conditions.append("r.split = ?")
            params.append(self.split)
        if self.search.strip():
            clause = search_clause(self.search, use_fts)
            if clause is not None:
                conditions.append(clause[0])
                params += clause[1]
        return (" AND ".join(conditions) or "1"), params

    def order(self) -> tuple[str, str]:
        """(the sort key expression, ASC or DESC)."""
        return SORTS[self.sort], "DESC" if self.descending else "ASC"


def _run(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[sqlite3.Row]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
            raise BadQuery(f"q: {exc}") from None
        raise


def list_records(
    conn: sqlite3.Connection, query: RecordQuery, use_fts: bool, *, offset: int = 0, limit: int = 50
) -> dict[str, Any]:
    where, params = query.where(use_fts)
    key, direction = query.order()
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    total = _run(conn, f"SELECT count(*) FROM records r WHERE {where}", params)[0][0]
    rows = _run(
        conn,
        f"SELECT {LIST_COLUMNS} FROM records r WHERE {where} ORDER BY {key} {direction}, r.id {direction} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return {"total": total, "offset": offset, "limit": limit, "items": [dict(row) for row in rows]}


def neighbours(conn: sqlite3.Connection, query: RecordQuery, use_fts: bool, record_id: int) -> dict[str, Any]:
    """The records before and after `record_id` in the filtered, sorted list, and its position."""
    where, params = query.where(use_fts)
    key, direction = query.order()
    current = conn.execute(f"SELECT {key} FROM records r WHERE r.id = ?", (record_id,)).fetchone()
    if current is None:
        return {"previous": None, "next": None, "position": None, "total": None}
    value = current[0]
    after = ">" if direction == "ASC" else "<"
    before = "<" if direction == "ASC" else ">"
    back = "DESC" if direction == "ASC" else "ASC"
    select = f"SELECT r.id, r.split, r.line FROM records r WHERE {where} AND ({key}, r.id)"
    nxt = _run(
        conn,
        f"{select} {after} (?, ?) ORDER BY {key} {direction}, r.id {direction} LIMIT 1",
        [*params, value, record_id],
    )
    prev = _run(
        conn,
        f"{select} {before} (?, ?) ORDER BY {key} {back}, r.id {back} LIMIT 1",
        [*params, value, record_id],
    )
    position = _run(
        conn,
        f"SELECT count(*) FROM records r WHERE {where} AND ({key}, r.id) {before}= (?, ?)",
        [*params, value, record_id],
    )
    total = _run(conn, f"SELECT count(*) FROM records r WHERE {where}", params)[0][0]
    matches = _run(conn, f"SELECT 1 FROM records r WHERE {where} AND r.id = ?", [*params, record_id])
    return {
        "previous": dict(prev[0]) if prev else None,
        "next": dict(nxt[0]) if nxt else None,
        "position": position[0][0] if matches else None,
        "total": total,
    }


def facet_counts(conn: sqlite3.Connection, limit: int = 200) -> dict[str, dict[str, int]]:
    """Every facet's values with their record counts, most frequent first (the filter menus)."""
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FILTER_FACETS if facet != "topic"}
    rows = conn.execute(
        "SELECT facet, value, count(*) AS n FROM tags WHERE facet != 'topic' GROUP BY facet, value ORDER BY facet, n DESC"
    )
    for row in rows:
        values = counts.setdefault(row["facet"], {})
        if len(values) < limit:
            values[row["value"]] = row["n"]
    return counts


def topic_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        row[0]: row[1]
        for row in conn.execute("SELECT value, count(*) FROM tags WHERE facet = 'topic' GROUP BY value")
    }


def topic_names(index: Any, topic_ids: list[str]) -> dict[str, list[str]]:
    """The path of each topic id (a leaf or any node above one) the records know of."""
    if not topic_ids:
        return {}
    from tracefabric.topics.model import topic_id_for

    wanted = set(topic_ids)
    names: dict[str, list[str]] = {}
    for path in index.stats().state()["topic_paths"].values():
        for depth in range(len(path)):
            prefix = path[: depth + 1]
            topic = topic_id_for(prefix)
            if topic in wanted and topic not in names:
                names[topic] = prefix
    return names
