"""The records list: filters from URL parameters, turned into one SQL query, paged on the server.

Parameters: a facet name (`kind`, `topic`, `tool`, `error`, `fault`, `gate`, `verify`) with
a value (repeat it for any of several values); `judge_min` / `judge_max`; `q` (full-text);
`split`; `sort` (`line`, `steps`, `tool_calls`, `errors`, `judge`, `-` in front for
descending); `offset` and `limit`. Facets combine with AND, values of one facet with OR.
"""

from __future__ import annotations

import bisect
import sqlite3
import threading
from array import array
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracefabric.errors import ConfigError

from .rows import FACETS
from .search import search_ids

VERIFY_FACET = "verify"  # set from a verify report, not read from the record
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

    def id_sets(self, use_fts: bool) -> list[tuple[str, list[Any]]]:
        """One SELECT of record ids per condition (the matches are their intersection)."""
        sets: list[tuple[str, list[Any]]] = []
        for facet, values in self.facets.items():
            marks = ", ".join("?" * len(values))
            sets.append(
                (f"SELECT record AS id FROM tags WHERE facet = ? AND value IN ({marks})", [facet, *values])
            )
        if self.judge_min is not None:
            sets.append(("SELECT id FROM records WHERE judge >= ?", [self.judge_min]))
        if self.judge_max is not None:
            sets.append(("SELECT id FROM records WHERE judge <= ?", [self.judge_max]))
        if self.split is not None:
            sets.append(("SELECT id FROM records WHERE split = ?", [self.split]))
        if self.search.strip():
            found = search_ids(self.search, use_fts)
            if found is not None:
                sets.append(found)
        return sets

    def order(self) -> tuple[str, str]:
        """(the sort key expression, ASC or DESC)."""
        return SORTS[self.sort], "DESC" if self.descending else "ASC"


def _bad_search(exc: sqlite3.OperationalError) -> Exception:
    if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
        return BadQuery(f"q: {exc}")
    return exc


def _run(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[Any]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        raise _bad_search(exc) from None


class MatchCache:
    """The ids matching a query, in list order, kept for the queries used last.

    A filtered list is paged through, and its records opened one after another (with their
    neighbours and position): one SQL query per filter, then every page, count and position
    is a slice or a search in memory. Ids are kept as 8-byte integers (800 KB for 100k
    matches). The key includes what identifies the index's content, so a grown file or a
    new verify report is queried afresh."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._entries: OrderedDict[Any, tuple[array[int], dict[int, int] | None]] = OrderedDict()
        self._lock = threading.Lock()

    def ids(self, conn: sqlite3.Connection, query: RecordQuery, use_fts: bool, version: Any) -> array[int]:
        return self._entry(conn, query, use_fts, version)[0]

    def position(
        self, conn: sqlite3.Connection, query: RecordQuery, use_fts: bool, version: Any, record_id: int
    ) -> int | None:
        """0-based place of `record_id` in the list, None when it does not match."""
        ids, places = self._entry(conn, query, use_fts, version)
        if query.sort == "line":
            if query.descending:
                return _find_descending(ids, record_id)
            at = bisect.bisect_left(ids, record_id)
            return at if at < len(ids) and ids[at] == record_id else None
        if places is None:
            places = {value: at for at, value in enumerate(ids)}
            with self._lock:
                key = self._key(query, use_fts, version)
                if key in self._entries:
                    self._entries[key] = (ids, places)
        return places.get(record_id)

    @staticmethod
    def _key(query: RecordQuery, use_fts: bool, version: Any) -> Any:
        facets = tuple(sorted((name, tuple(sorted(values))) for name, values in query.facets.items()))
        return (
            version,
            use_fts,
            facets,
            query.judge_min,
            query.judge_max,
            query.search.strip(),
            query.split,
            query.sort,
            query.descending,
        )

    def _entry(
        self, conn: sqlite3.Connection, query: RecordQuery, use_fts: bool, version: Any
    ) -> tuple[array[int], dict[int, int] | None]:
        key = self._key(query, use_fts, version)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
        entry = (matching_ids(conn, query, use_fts), None)
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return entry


def _selective(conn: sqlite3.Connection, sets: list[tuple[str, list[Any]]]) -> list[tuple[str, list[Any]]]:
    """The conditions that exclude something, fewest matches first (counting one is an index
    lookup; intersecting sets of every record is most of a query's cost)."""
    if len(sets) < 2:
        return sets
    total = conn.execute("SELECT max(id) FROM records").fetchone()[0] or 0
    counted = [
        (_run(conn, f"SELECT count(*) FROM ({sql})", params)[0][0], sql, params) for sql, params in sets
    ]
    kept = sorted((c for c in counted if c[0] < total), key=lambda c: c[0])
    return [(sql, params) for _, sql, params in kept]


def matching_ids(conn: sqlite3.Connection, query: RecordQuery, use_fts: bool) -> array[int]:
    """The ids of the matching records, in list order.

    File order: record ids run from 1 without gaps (the index never deletes), so the matches
    are the intersection of each condition's ids, fetched as one string and sorted here.
    Other orders: every id in that order (a scan of the sort column's index), kept when it
    matches; a bounded cost, where SQLite would sort the intersection in a temporary tree."""
    sets = _selective(conn, query.id_sets(use_fts))
    if not sets:
        matched = None
    else:
        union = " INTERSECT ".join(sql for sql, _ in sets)
        params = [p for _, set_params in sets for p in set_params]
        text = _run(conn, f"SELECT group_concat(id) FROM ({union})", params)[0][0]
        matched = array("q", sorted(map(int, text.split(",")))) if text else array("q")
    if query.sort == "line":
        if matched is None:
            top = conn.execute("SELECT max(id) FROM records").fetchone()[0] or 0
            matched = array("q", range(1, top + 1))
        if query.descending:
            matched.reverse()
        return matched
    order, direction = query.order()
    cursor = conn.cursor()
    cursor.row_factory = None
    rows = cursor.execute(f"SELECT r.id FROM records r ORDER BY {order} {direction}, r.id {direction}")
    if matched is None:
        return array("q", (row[0] for row in rows))
    wanted = set(matched)
    return array("q", (row[0] for row in rows if row[0] in wanted))


def _find_descending(ids: array[int], record_id: int) -> int | None:
    low, high = 0, len(ids)
    while low < high:  # ids are decreasing
        middle = (low + high) // 2
        if ids[middle] > record_id:
            low = middle + 1
        else:
            high = middle
    return low if low < len(ids) and ids[low] == record_id else None


def _rows(conn: sqlite3.Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    found = {
        row["id"]: dict(row)
        for row in conn.execute(f"SELECT {LIST_COLUMNS} FROM records r WHERE r.id IN ({marks})", list(ids))
    }
    return [found[i] for i in ids if i in found]


def list_records(
    conn: sqlite3.Connection,
    query: RecordQuery,
    use_fts: bool,
    *,
    offset: int = 0,
    limit: int = 50,
    cache: MatchCache | None = None,
    version: Any = None,
) -> dict[str, Any]:
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    ids = (cache or MatchCache(1)).ids(conn, query, use_fts, version)
    return {
        "total": len(ids),
        "offset": offset,
        "limit": limit,
        "items": _rows(conn, ids[offset : offset + limit]),
    }


def neighbours(
    conn: sqlite3.Connection,
    query: RecordQuery,
    use_fts: bool,
    record_id: int,
    *,
    cache: MatchCache | None = None,
    version: Any = None,
) -> dict[str, Any]:
    """The records before and after `record_id` in the filtered, sorted list, and its position."""
    cache = cache or MatchCache(1)
    ids = cache.ids(conn, query, use_fts, version)
    place = cache.position(conn, query, use_fts, version, record_id)
    if place is None:
        return {"previous": None, "next": None, "position": None, "total": len(ids)}
    around = [ids[place - 1]] if place > 0 else []
    around += [ids[place + 1]] if place + 1 < len(ids) else []
    rows = (
        {
            row["id"]: row
            for row in conn.execute(
                f"SELECT id, split, line FROM records WHERE id IN ({', '.join('?' * len(around))})", around
            )
        }
        if around
        else {}
    )
    previous = rows.get(ids[place - 1]) if place > 0 else None
    following = rows.get(ids[place + 1]) if place + 1 < len(ids) else None
    return {
        "previous": dict(previous) if previous else None,
        "next": dict(following) if following else None,
        "position": place + 1,
        "total": len(ids),
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
