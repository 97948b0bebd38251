"""What `tracefabric view PATH...` was given: each path becomes a source of one kind.

Kinds are a registry, tried in order on what the file holds (not only its name):

- `dataset`: a JSONL file of records, or a split folder; its run's side files come along
  (`run.json`, the failures file, the topics file, and `<name>.verify.json` when present);
- `failures`: a failures file (`<name>.failures.jsonl`: reason, slot, final per line);
- `run`: a `run.json`;
- `evaluation`: an evaluation report (provisional, see views/evaluation.py);
- a `tracefabric verify --json` report is not a view of its own: it gives its dataset's
  records their verify status.

Each source has a slug (from its file name, made unique) used in every URL, so a link made
by one person opens the same view for someone running the same command.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from tracefabric.dataset.source import DatasetSource, open_dataset
from tracefabric.errors import ConfigError
from tracefabric.run.provenance import read_run_json

from .index.failures import FailureIndex
from .index.location import index_location
from .index.query import facet_counts, topic_names
from .index.records import RecordIndex
from .views.evaluation import looks_like_evaluation

MAX_JSON_BYTES = 512 * 1024 * 1024
VERIFY_SUFFIX = ".verify.json"


def _stem(path: Path) -> str:
    name = path.name
    for ext in (".jsonl", ".json"):
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


def _read_json(path: Path) -> Any:
    if path.stat().st_size > MAX_JSON_BYTES:
        raise ConfigError(f"{path}: too large for a JSON document ({path.stat().st_size:,} bytes)")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: not a JSON document ({exc})") from None


def _first_value(path: Path) -> Any:
    with open(path, "rb") as handle:
        for raw in handle:
            if raw.strip():
                try:
                    return json.loads(raw)
                except ValueError:
                    return None
    return None


def is_verify_report(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("records"), list) and "counts" in document


def is_run_json(document: Any) -> bool:
    return isinstance(document, dict) and ("config_hash" in document or {"config", "status"} <= set(document))


@dataclass
class Source:
    kind: ClassVar[str] = ""
    slug: str
    path: Path
    notes: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, slug: str, path: Path) -> Source:
        return cls(slug, path)

    def open(self, index_dir: Path | None, say: Callable[[str], None]) -> None:
        """Build or reuse indexes."""

    def refresh(self) -> bool:
        """Take in what changed on disk; True when something did."""
        return False

    def home(self) -> str:
        """The page a link to this source opens."""
        return f"/s/{self.slug}"

    def describe(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "kind": self.kind,
            "path": str(self.path),
            "notes": self.notes,
            "home": self.home(),
        }


@dataclass
class DatasetView(Source):
    kind: ClassVar[str] = "dataset"
    dataset: DatasetSource = None  # type: ignore[assignment]
    records: RecordIndex = None  # type: ignore[assignment]
    failures: FailureIndex | None = None
    verify_report: Path | None = None
    _verify_seen: tuple[int, int] | None = None
    _facets: tuple[Any, dict[str, Any]] | None = None
    index_dir: Path | None = None

    @property
    def run_info(self) -> dict[str, Any] | None:
        return read_run_json(self.dataset.run_paths.run_json)

    @property
    def split_names(self) -> list[str]:
        return list(self.dataset.splits)

    @classmethod
    def create(cls, slug: str, path: Path) -> Source:
        return cls(slug, path, dataset=open_dataset(path))

    def key(self, split: str, line: int) -> str:
        """The record's id in URLs: its line, with its split when there are several."""
        return str(line) if len(self.dataset.splits) == 1 else f"{split}:{line}"

    def parse_key(self, key: str) -> tuple[str, int] | None:
        split, _, line = key.rpartition(":")
        split = split or next(iter(self.dataset.splits))
        if split not in self.dataset.splits or not line.isdigit():
            return None
        return split, int(line)

    def open(self, index_dir: Path | None, say: Callable[[str], None]) -> None:
        self.index_dir = index_dir
        self.records = RecordIndex(
            dict(self.dataset.splits), index_location(self.path, index_dir), name=str(self.path)
        )
        what = self.records.open()
        say(f"{self.path}: {self.records.count():,} records ({what} index {self.records.location})")
        failures = self.dataset.failures_file
        if failures is not None:
            self.failures = FailureIndex({"failures": failures}, index_location(failures, index_dir))
            self.failures.open()
        if self.verify_report is None:
            beside = self.dataset.origin.with_name(_stem(self.dataset.origin) + VERIFY_SUFFIX)
            self.verify_report = beside if beside.is_file() else None
        self._apply_verify()

    def _apply_verify(self) -> bool:
        report = self.verify_report
        if report is None:
            return False
        try:
            stat = report.stat()
        except OSError:
            return False
        seen = (stat.st_size, stat.st_mtime_ns)
        if seen == self._verify_seen:
            return False
        self._verify_seen = seen
        document = _read_json(report)
        if not is_verify_report(document):
            raise ConfigError(f"{report}: not a 'tracefabric verify --json' report")
        split = self._split_of(document)
        if split is None:
            self.notes.append(f"{report.name} is about {document.get('dataset')}, not this dataset: ignored")
            return False
        return self.records.apply_verify(
            {split: document["records"]}, json.dumps([str(report.resolve()), *seen])
        )

    def _split_of(self, report: dict[str, Any]) -> str | None:
        named = Path(str(report.get("dataset", "")))
        for split, path in self.dataset.splits.items():
            if named.resolve() == path.resolve():
                return split
        for split, path in self.dataset.splits.items():
            if named.name == path.name:
                return split
        return None

    def refresh(self) -> bool:
        changed = self.records.refresh() != "same"
        if self.failures is None and self.dataset.failures_file is not None:
            self.failures = FailureIndex(
                {"failures": self.dataset.failures_file},
                index_location(self.dataset.failures_file, self.index_dir),
            )
            self.failures.open()
            changed = True
        elif self.failures is not None:
            changed = self.failures.refresh() != "same" or changed
        return self._apply_verify() or changed

    def facets(self, topics: list[str]) -> dict[str, Any]:
        """The filter menus: every facet's values with counts (cached until the index changes),
        the judge scores' range, and the names of the topics asked about."""
        conn = self.records.connection()
        state = self.records.content_key()
        if self._facets is None or self._facets[0] != state:
            judge = conn.execute("SELECT min(judge), max(judge), count(judge) FROM records").fetchone()
            splits = dict(conn.execute("SELECT split, count(*) FROM records GROUP BY split").fetchall())
            self._facets = (
                state,
                {
                    "facets": facet_counts(conn),
                    "judge": {"min": judge[0], "max": judge[1], "count": judge[2]},
                    "splits": splits,
                },
            )
        return {**self._facets[1], "topics": topic_names(self.records, topics)}

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(
            splits=self.split_names,
            records=self.records.count() if self.records else None,
            failures=bool(self.failures),
            run=self.dataset.run_paths.run_json.is_file(),
            verify_report=str(self.verify_report) if self.verify_report else None,
            search="fts5" if self.records and self.records.use_fts else "substring",
        )
        return info


@dataclass
class FailuresView(Source):
    kind: ClassVar[str] = "failures"
    failures: FailureIndex = None  # type: ignore[assignment]

    def open(self, index_dir: Path | None, say: Callable[[str], None]) -> None:
        self.failures = FailureIndex({"failures": self.path}, index_location(self.path, index_dir))
        self.failures.open()
        say(f"{self.path}: {self.failures.summary()['attempts']:,} failed attempts")

    def refresh(self) -> bool:
        return self.failures.refresh() != "same"

    def home(self) -> str:
        return f"/s/{self.slug}/failures"

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "failures": True}


@dataclass
class DocumentView(Source):
    """A JSON document read once per request (run.json is rewritten while a run goes on)."""

    kind: ClassVar[str] = "run"

    def document(self) -> Any:
        return _read_json(self.path)

    def home(self) -> str:
        return f"/s/{self.slug}/run"


@dataclass
class EvaluationView(DocumentView):
    kind: ClassVar[str] = "evaluation"

    def home(self) -> str:
        return f"/e/{self.slug}"


@dataclass(frozen=True)
class Peek:
    """What a path holds, read once for every kind's test."""

    path: Path
    document: Any = None  # a .json file's content
    first: Any = None  # a JSONL file's first value

    @classmethod
    def of(cls, path: Path) -> Peek:
        if path.is_dir():
            return cls(path)
        if path.suffix == ".json":
            return cls(path, document=_read_json(path))
        return cls(path, first=_first_value(path))

    @property
    def jsonl(self) -> bool:
        return self.path.is_file() and self.path.suffix != ".json"


def _is_failures(peek: Peek) -> bool:
    first = peek.first
    if isinstance(first, dict) and "messages" in first:
        return False
    looks = isinstance(first, dict) and "reason" in first and ("slot" in first or "final" in first)
    return peek.jsonl and (looks or peek.path.name.endswith(".failures.jsonl"))


# What a path is, tried in order: (kind, test, the source it becomes; None: a verify report).
KINDS: list[tuple[str, Callable[[Peek], bool], type[Source] | None]] = [
    ("verify", lambda p: is_verify_report(p.document), None),
    ("evaluation", lambda p: looks_like_evaluation(p.document), EvaluationView),
    ("run", lambda p: is_run_json(p.document), DocumentView),
    ("failures", _is_failures, FailuresView),
    ("dataset", lambda p: p.path.is_dir() or p.jsonl, DatasetView),
]


def _kind_of(path: Path) -> tuple[str, type[Source] | None]:
    peek = Peek.of(path)
    for kind, test, source in KINDS:
        if test(peek):
            return kind, source
    raise ConfigError(f"{path}: not a dataset, failures file, run.json, verify report or evaluation report")


def _slug(path: Path, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", _stem(path)).strip("-.") or "source"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def open_sources(paths: list[str | Path]) -> list[Source]:
    """Classify `paths` (indexes are built by each source's `open`)."""
    sources: list[Source] = []
    reports: list[Path] = []
    taken: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise ConfigError(f"{path}: no such file or folder")
        _, factory = _kind_of(path)
        if factory is None:
            reports.append(path)
        else:
            sources.append(factory.create(_slug(path, taken), path))
    datasets = [s for s in sources if isinstance(s, DatasetView)]
    for report in reports:
        document = _read_json(report)
        target = next((d for d in datasets if d._split_of(document) is not None), None)
        if target is None:
            named = document.get("dataset")
            raise ConfigError(
                f"{report}: a verify report about {named}, which is not among the datasets given (add it)"
            )
        target.verify_report = report
    if not sources:
        raise ConfigError("nothing to view: give a dataset, failures file, run.json or evaluation report")
    return sources
