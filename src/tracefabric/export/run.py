"""`export(dataset, format=..., out=...)`: stream the records of each split into a format.

Every record is checked against the schema; a bad one is reported with its line and skipped
(or, with `strict`, stops the export). The output appears only when complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tracefabric.dataset.reader import BadRecord, DatasetError, read_records
from tracefabric.dataset.source import DatasetSource, open_dataset
from tracefabric.errors import ConfigError

from .formats import FORMATS
from .options import ConversionError, ExportOptions, select
from .output import atomic_file, atomic_folder

MAX_LISTED = 20


@dataclass
class ExportReport:
    format: str
    out: Path
    splits: dict[str, int] = field(default_factory=dict)  # records written per split
    left_out: int = 0  # records `only` left out
    bad: int = 0
    bad_first: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def written(self) -> int:
        return sum(self.splits.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "out": str(self.out),
            "written": self.written,
            "splits": self.splits,
            "left_out": self.left_out,
            "bad_records": {"count": self.bad, "first": self.bad_first},
            "files": self.files,
            "elapsed_s": round(self.elapsed_s, 3),
        }


class Records:
    """The selected records of one split, with bad ones reported to the report."""

    def __init__(
        self,
        path: Path,
        options: ExportOptions,
        report: ExportReport,
        on_bad: Callable[[BadRecord], None] | None,
    ) -> None:
        self.path, self.options, self.report, self.on_bad = path, options, report, on_bad

    def bad(self, bad: BadRecord) -> None:
        if self.options.strict:
            raise DatasetError(f"{bad} (--strict stops at the first bad record)")
        self.report.bad += 1
        if len(self.report.bad_first) < MAX_LISTED:
            self.report.bad_first.append(str(bad))
        if self.on_bad is not None:
            self.on_bad(bad)

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for line, record in read_records(self.path, strict=self.options.strict, on_bad=self.bad):
            selected = select(record, self.options)
            if selected is None:
                self.report.left_out += 1
                continue
            yield line, selected


def export(
    dataset: str | Path | DatasetSource,
    *,
    format: str,
    out: str | Path,
    on_bad: Callable[[BadRecord], None] | None = None,
    **options: Any,
) -> ExportReport:
    """Export a dataset file (one split, `train`) or a split folder to `out`.

    Options (see `ExportOptions`): tools ("all" | "used"), drop (field names), only
    ("accepted"), strict, arguments ("string" | "object", openai), template (text),
    license, tags, verify_report (hf card)."""
    spec = FORMATS.get(format)
    if spec is None:
        raise ConfigError(f"--format: {format!r} is not one of {', '.join(FORMATS)}")
    if "drop" in options:
        options["drop"] = frozenset(options["drop"] or ())
    if "tags" in options:
        options["tags"] = tuple(options["tags"] or ())
    opts = ExportOptions(**options)
    source = dataset if isinstance(dataset, DatasetSource) else open_dataset(dataset)
    out = Path(out)
    if out.resolve() in {p.resolve() for p in source.splits.values()}:
        raise ConfigError(f"-o {out}: that is the dataset itself; choose another output")
    report = ExportReport(format, out)
    started = time.perf_counter()
    records = {split: Records(path, opts, report, on_bad) for split, path in source.splits.items()}
    if spec.folder:
        with atomic_folder(out) as folder:
            spec.load("write_folder")(source, records, folder, opts, report)
    else:
        convert = spec.load("converter")(opts)
        if len(records) == 1:
            ((split, split_records),) = records.items()
            with atomic_file(out) as handle:
                report.splits[split] = _write_lines(handle, split_records, convert)
            report.files = [str(out)]
        else:
            with atomic_folder(out) as folder:
                for split, split_records in records.items():
                    with open(folder / f"{split}.jsonl", "wb") as handle:
                        report.splits[split] = _write_lines(handle, split_records, convert)
            report.files = [str(out / f"{split}.jsonl") for split in records]
    report.elapsed_s = time.perf_counter() - started
    return report


def _write_lines(handle: Any, records: Records, convert: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
    written = 0
    for line, record in records:
        try:
            converted = convert(record)
        except (ConversionError, ValueError, KeyError, TypeError) as exc:
            records.bad(
                BadRecord(
                    str(records.path),
                    line,
                    f"{type(exc).__name__}: {exc}" if not isinstance(exc, ConversionError) else str(exc),
                )
            )
            continue
        handle.write(orjson.dumps(converted, option=orjson.OPT_APPEND_NEWLINE))
        written += 1
    return written
