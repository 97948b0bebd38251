"""Full-text search: SQLite FTS5 when the interpreter's SQLite has it (it does in the
python.org, Debian and Homebrew builds), else a substring scan over the same text.

A query is words and "quoted phrases", all required; `word*` matches a prefix. Whatever
the user types is quoted before it reaches FTS5, so its syntax can't be injected.
"""

from __future__ import annotations

import functools
import re
import sqlite3

_TERMS = re.compile(r'"([^"]*)"|(\S+)')


@functools.cache
def fts5_available() -> bool:
    try:
        conn = sqlite3.connect(":memory:")
        try:
            conn.execute("CREATE VIRTUAL TABLE probe USING fts5(text)")
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return True


def terms(text: str) -> list[tuple[str, bool]]:
    """(term or phrase, is a prefix) for each part of the query."""
    found = []
    for phrase, word in _TERMS.findall(text):
        if phrase.strip():
            found.append((phrase.strip(), False))
        elif word:
            prefix = word.endswith("*")
            word = word.rstrip("*")
            if word:
                found.append((word, prefix))
    return found


def fts_query(text: str) -> str | None:
    parts = ['"' + term.replace('"', '""') + '"' + ("*" if prefix else "") for term, prefix in terms(text)]
    return " AND ".join(parts) or None


def create_search_table(conn: sqlite3.Connection, use_fts: bool) -> None:
    if use_fts:
        # Contentless: the text is only searched, never shown (the record is read from its file).
        conn.execute("CREATE VIRTUAL TABLE search USING fts5(text, content='', columnsize=0)")
    else:
        conn.execute("CREATE TABLE search (rowid INTEGER PRIMARY KEY, text TEXT)")


def search_ids(text: str, use_fts: bool) -> tuple[str, list[str]] | None:
    """A SELECT of the ids of records matching `text`, and its parameters; None for an empty query."""
    if use_fts:
        query = fts_query(text)
        if query is None:
            return None
        return "SELECT rowid AS id FROM search WHERE search MATCH ?", [query]
    parts = terms(text)
    if not parts:
        return None
    condition = " AND ".join("instr(lower(text), ?) > 0" for _ in parts)
    return f"SELECT rowid AS id FROM search WHERE {condition}", [term.lower() for term, _ in parts]
