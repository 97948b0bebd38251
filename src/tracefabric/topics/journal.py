"""The partial structure of a run in progress, written as it grows so a crash loses nothing.

`<output>.partial.jsonl` starts with a header (the settings that shape the structure),
followed by one fsynced line per committed step:

    {"event": "add",  "node": 3, "topic_id": "…", "new": ["A", "B"], "links": [7], ...counters}
    {"event": "done", "node": 3, "topic_id": "…"}
    {"event": "fail", "node": 3, "topic_id": "…", "error": "…", ...counters}

Replaying the lines in order rebuilds the identical structure (node ids included). Each
line is appended whole; a line torn by a crash is cut off on resume. Appending a line per
step keeps resuming exact without rewriting the whole structure after every node.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracefabric.errors import ConfigError

from .atomic import append_record, read_records, write_atomic
from .config import TopicsConfig
from .model import TopicSet

VERSION = 1

COUNTERS = ("calls", "prompt_tokens", "completion_tokens", "duplicates_exact", "duplicates_near", "invalid")


@dataclass
class Counters:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    duplicates_exact: int = 0
    duplicates_near: int = 0
    invalid: int = 0  # empty or unusable list items

    def add(self, record: dict[str, Any]) -> None:
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + int(record.get(name, 0)))

    def to_record(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTERS if getattr(self, name)}


@dataclass
class ReplayState:
    topics: TopicSet
    done: set[int] = field(default_factory=set)  # expanded (possibly with fewer than degree)
    failed: dict[int, str] = field(default_factory=dict)
    counters: Counters = field(default_factory=Counters)
    links: int = 0
    steps: int = 0


class Journal:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.exists()

    def start(self, config: TopicsConfig) -> None:
        header = {
            "event": "start",
            "version": VERSION,
            "config": config.fingerprint(),
            "started": time.time(),
        }
        write_atomic(self.path, json.dumps(header, ensure_ascii=False) + "\n")

    def append(self, record: dict[str, Any], *, sync: bool = True) -> None:
        append_record(self.path, record, sync=sync)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def replay(self, config: TopicsConfig) -> ReplayState:
        """Rebuild the partial structure; refuses a journal written for other settings."""
        try:
            records = read_records(self.path, repair=True)
        except ValueError as exc:
            raise ConfigError(f"{exc}; delete the partial file or pass --force to start over") from None
        if not records or records[0].get("event") != "start":
            raise ConfigError(f"{self.path}: not a topics partial file; delete it or pass --force")
        saved = records[0].get("config", {})
        wanted = config.fingerprint()
        for key, value in wanted.items():
            if saved.get(key) != value:
                raise ConfigError(
                    f"{self.path}: this partial run was started with {key}={saved.get(key)!r}, the config "
                    f"now says {value!r}; restore it to resume, or pass --force to start over"
                )
        state = ReplayState(topics=TopicSet(config.prompt, mode=config.mode))
        for number, record in enumerate(records[1:], start=2):
            try:
                self._apply(state, record)
            except (KeyError, ValueError, TypeError) as exc:
                raise ConfigError(
                    f"{self.path}:{number}: cannot replay ({exc}); delete it or pass --force to start over"
                ) from None
        return state

    @staticmethod
    def _apply(state: ReplayState, record: dict[str, Any]) -> None:
        topics = state.topics
        node = topics.nodes[int(record["node"])]
        if record.get("topic_id") != node.topic_id:
            raise ValueError(f"node {node.id} has another path than when it was written")
        event = record["event"]
        state.counters.add(record)
        state.steps += 1
        if event == "add":
            for text in record.get("new", []):
                topics.add_child(node.id, str(text))
            for child_id in record.get("links", []):
                topics.add_link(node.id, int(child_id))
                state.links += 1
            state.failed.pop(node.id, None)
            node.metadata.pop("failed", None)
        elif event == "done":
            state.done.add(node.id)
        elif event == "fail":
            state.failed[node.id] = str(record.get("error", ""))
            node.metadata["failed"] = state.failed[node.id]
        else:
            raise ValueError(f"unknown event {event!r}")
