"""What `verify` says about each record, and about the whole dataset."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from .agreement import Problem

MAX_PROBLEMS = 10  # per record in the JSON report; the total is given as well

SkipReason = Literal["no_trace", "nondeterministic"]


class Status(StrEnum):
    OK = "ok"  # messages agree with the trace, and every call replayed exactly
    MISMATCH = "mismatch"  # well-formed, but messages, trace and replay disagree somewhere
    SKIPPED = "skipped"  # nothing to replay (no trace) or not replayable (non-deterministic tools)
    INVALID = "invalid"  # not a record verify can read: bad line, missing or mistyped fields


FAILED = frozenset({Status.MISMATCH, Status.INVALID})


@dataclass
class SampleReport:
    line: int
    sample_id: str
    status: Status
    calls: int = 0
    detail: str = ""  # one line: the first problem, or why the record was skipped
    problems: list[Problem] = field(default_factory=list)
    skip: SkipReason | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "line": self.line,
            "sample_id": self.sample_id,
            "status": str(self.status),
            "calls": self.calls,
            "detail": self.detail,
        }
        if self.skip:
            data["skip"] = self.skip
        if self.problems:
            data["problems"] = [p.to_json() for p in self.problems[:MAX_PROBLEMS]]
            data["problems_total"] = len(self.problems)
        return data


@dataclass
class VerifyReport:
    dataset: Path
    samples: list[SampleReport] = field(default_factory=list)

    def count(self, status: Status | str) -> int:
        return sum(1 for s in self.samples if s.status == status)

    @property
    def failed(self) -> int:
        return sum(1 for s in self.samples if s.status in FAILED)

    @property
    def passed(self) -> bool:
        """At least one record, and none mismatched or invalid (skipped records don't fail)."""
        return bool(self.samples) and self.failed == 0

    @property
    def nothing_to_replay(self) -> bool:
        """Every record lacks a trace (e.g. a DeepFabric-format file)."""
        return bool(self.samples) and all(s.skip == "no_trace" for s in self.samples)

    def summary(self) -> str:
        total = len(self.samples)
        if not total:
            return f"no records in {self.dataset}: nothing verified"
        if self.nothing_to_replay:
            return (
                f"nothing to replay: none of the {total} records carries a trace "
                "(messages and tools only, as DeepFabric writes them)"
            )
        counts = ", ".join(f"{self.count(s)} {s}" for s in (Status.MISMATCH, Status.SKIPPED, Status.INVALID))
        return f"{self.count(Status.OK)}/{total} records ok (messages agree with the trace, replayed exactly), {counts}"

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": str(self.dataset),
            "passed": self.passed,
            "counts": {str(status): self.count(status) for status in Status},
            "summary": self.summary(),
            "records": [s.to_json() for s in self.samples],
        }
