"""`split_dataset`: two streaming passes, memory in the number of distinct keys (topics and
request fingerprints), never in the records themselves.

1. Read every record's keys and join keys that occur together (union-find), so each group is
   a connected set of records sharing a topic or a near-duplicate request.
2. Order the groups by a seeded hash of their smallest key (independent of file order) and
   give each to the split furthest below its target size; then copy each record's line,
   unchanged, into its split's file.

The report counts the groups that had to be joined: a topic whose request also appears in
another topic would otherwise have put near-identical records on both sides of the split.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracefabric import __version__
from tracefabric.dataset.reader import BadRecord, DatasetError, read_records
from tracefabric.dataset.source import SPLITS_FILE
from tracefabric.errors import ConfigError
from tracefabric.export.output import atomic_folder
from tracefabric.run.paths import RunPaths

from .keys import GROUP_KEYS

SPLITS = ("train", "validation", "test")


class _Groups:
    """Union-find over key strings."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        parent = self.parent.setdefault(key, key)
        if parent == key:
            return key
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class SplitReport:
    out: Path
    seed: int
    by: list[str]
    sizes: dict[str, int] = field(default_factory=dict)
    targets: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    merged_groups: int = 0
    records_in_merged_groups: int = 0
    bad: int = 0
    bad_first: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "seed": self.seed,
            "by": self.by,
            "sizes": self.sizes,
            "targets": self.targets,
            "groups": self.groups,
            "leakage": {
                "merged_groups": self.merged_groups,
                "records_in_merged_groups": self.records_in_merged_groups,
            },
            "bad_records": {"count": self.bad, "first": self.bad_first},
        }


def _record_keys(record: dict[str, Any], by: Sequence[str], line: int) -> list[str]:
    keys = [key for name in by for key in GROUP_KEYS[name](record)]
    return keys or [f"line:{line}"]


def _order(seed: int, key: str) -> bytes:
    return hashlib.blake2b(f"{seed}\0{key}".encode(), digest_size=8).digest()


def split_dataset(
    dataset: str | Path,
    out: str | Path | None = None,
    *,
    validation: float = 0.05,
    test: float = 0.1,
    by: Sequence[str] = ("topic", "request"),
    seed: int = 0,
    strict: bool = False,
) -> SplitReport:
    dataset = Path(dataset)
    if dataset.is_dir():
        raise DatasetError(f"{dataset}: split a dataset file (this is a folder, maybe already split)")
    by = list(by)
    unknown = [name for name in by if name not in GROUP_KEYS]
    if unknown:
        raise ConfigError(f"--by: {', '.join(unknown)}: not one of {', '.join(GROUP_KEYS)}")
    fractions = {"validation": validation, "test": test}
    for name, value in fractions.items():
        if not 0 <= value < 1:
            raise ConfigError(
                f"--{'val' if name == 'validation' else name}: {value} is not a fraction in [0, 1)"
            )
    if validation + test >= 1:
        raise ConfigError(f"--val + --test = {validation + test:g}: nothing would be left to train on")
    out = Path(out) if out is not None else RunPaths(dataset)._sibling(".splits")
    report = SplitReport(out, seed, by)

    def bad(problem: BadRecord) -> None:
        report.bad += 1
        if len(report.bad_first) < 20:
            report.bad_first.append(str(problem))

    # Pass 1: the groups.
    groups = _Groups()
    first_key_count: Counter[str] = Counter()
    for line, record in read_records(dataset, strict=strict, on_bad=bad):
        keys = _record_keys(record, by, line)
        for key in keys[1:]:
            groups.union(keys[0], key)
        first_key_count[keys[0]] += 1
    size: Counter[str] = Counter()
    for key, count in first_key_count.items():
        size[groups.find(key)] += count
    total = sum(size.values())
    if not total:
        raise DatasetError(f"{dataset}: no records to split")
    primary: Counter[str] = Counter()  # keys of the first grouping in each group
    prefix = f"{by[0]}:"
    for key in groups.parent:
        if key.startswith(prefix):
            primary[groups.find(key)] += 1
    report.merged_groups = sum(1 for root in size if primary[root] > 1)
    report.records_in_merged_groups = sum(size[root] for root in size if primary[root] > 1)

    # Assignment: seeded order of the groups' smallest keys (a root is its group's smallest key),
    # each group to the split furthest below its target.
    targets = {name: round(total * fraction) for name, fraction in fractions.items()}
    for name, fraction in fractions.items():
        if fraction > 0 and targets[name] == 0 and total >= len(SPLITS):
            targets[name] = 1
    targets = {"train": total - sum(targets.values()), **targets}
    active = [name for name in SPLITS if targets[name] > 0 or name == "train"]
    current = dict.fromkeys(active, 0)
    assignment: dict[str, str] = {}
    for root in sorted(size, key=lambda r: _order(seed, r)):
        name = max(active, key=lambda n: (targets[n] - current[n], -SPLITS.index(n)))
        assignment[root] = name
        current[name] += size[root]
        report.groups[name] = report.groups.get(name, 0) + 1
    report.targets = {name: targets[name] for name in active}

    # Pass 2: copy each record's line into its split.
    with atomic_folder(out) as folder:
        handles = {name: open(folder / f"{name}.jsonl", "wb") for name in active}  # noqa: SIM115
        try:
            with open(dataset, "rb") as source:
                lines = iter(source)
                position = 0
                for line, record in read_records(dataset, on_bad=lambda _: None):
                    while position < line:  # the raw line of this record, byte for byte
                        raw = next(lines)
                        position += 1
                    name = assignment[groups.find(_record_keys(record, by, line)[0])]
                    handles[name].write(raw if raw.endswith(b"\n") else raw + b"\n")
        finally:
            for handle in handles.values():
                handle.close()
        report.sizes = {name: current[name] for name in active}
        manifest = {
            "tracefabric": __version__,
            "source": os.path.relpath(dataset.resolve(), out.resolve()),
            "source_absolute": str(dataset.resolve()),
            "seed": seed,
            "by": by,
            "fractions": fractions,
            "splits": {
                name: {
                    "file": f"{name}.jsonl",
                    "records": current[name],
                    "groups": report.groups.get(name, 0),
                }
                for name in active
            },
            "leakage": {
                "merged_groups": report.merged_groups,
                "records_in_merged_groups": report.records_in_merged_groups,
            },
            "bad_records": report.bad,
        }
        (folder / SPLITS_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return report
