"""Grouping keys: records that share any key end up in the same split.

A key function takes a record and returns its keys of one kind. `topic` keeps every record
of a topic together; `request` keeps near-duplicate requests together, by a fingerprint of
the first user message with case, punctuation and spacing normalised (the run's own duplicate
check). A function may return several keys (e.g. the bands of a MinHash or the clusters of
an embedding model): a record then joins every group it shares one with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tracefabric.run.dataset import question_key, user_question

GroupKey = Callable[[dict[str, Any]], Iterable[str]]


def topic_keys(record: dict[str, Any]) -> list[str]:
    metadata = record.get("metadata") or {}
    topic = metadata.get("topic_id") or " > ".join(metadata.get("topic_path") or [])
    return [f"topic:{topic}"] if topic else []


def request_keys(record: dict[str, Any]) -> list[str]:
    question = user_question(record)
    return [f"request:{question_key(question).hex()}"] if question.strip() else []


def sample_keys(record: dict[str, Any]) -> list[str]:
    """Each record on its own (a plain random split); without a sample id, its line is its key."""
    sample = (record.get("metadata") or {}).get("sample_id")
    return [f"sample:{sample}"] if sample else []


GROUP_KEYS: dict[str, GroupKey] = {"topic": topic_keys, "request": request_keys, "sample": sample_keys}


def register_group_key(name: str, keys: GroupKey) -> None:
    """Add a grouping (e.g. `near-duplicate` from an embedding model) usable as `--by NAME`."""
    GROUP_KEYS[name] = keys
