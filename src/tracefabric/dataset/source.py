"""What a command is given as DATASET: one JSONL file, or a folder written by `tracefabric split`.

A file is one split (`train`); a split folder holds `train.jsonl`, `validation.jsonl`,
`test.jsonl` and `splits.json`, which names the dataset it came from. Either way the run's
side files (`<dataset>.run.json`, `<dataset>.failures.jsonl`, the topics file) are found
through the original dataset, so provenance follows the records into exports and cards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracefabric.run.paths import RunPaths
from tracefabric.run.provenance import read_run_json

from .reader import DatasetError

SPLITS_FILE = "splits.json"
SPLIT_ORDER = ("train", "validation", "test")


@dataclass
class DatasetSource:
    path: Path
    splits: dict[str, Path]
    origin: Path  # the generated dataset file the records come from
    split_info: dict[str, Any] | None = None
    _run_info: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def run_paths(self) -> RunPaths:
        return RunPaths(self.origin)

    @property
    def run_info(self) -> dict[str, Any] | None:
        """The run's run.json, when it is next to the original dataset."""
        if self._run_info is None:
            self._run_info = read_run_json(self.run_paths.run_json)
        return self._run_info

    @property
    def failures_file(self) -> Path | None:
        path = self.run_paths.failures
        return path if path.is_file() else None

    @property
    def topics_file(self) -> Path | None:
        info = self.run_info or {}
        name = (info.get("topics") or {}).get("file")
        if name:
            candidates = [Path(name), self.origin.parent / Path(name).name]
            for candidate in candidates:
                if candidate.is_file():
                    return candidate
        for mode in ("tree", "graph"):
            candidate = self.run_paths.topics(mode)
            if candidate.is_file():
                return candidate
        return None


def open_dataset(path: str | Path) -> DatasetSource:
    path = Path(path)
    if path.is_dir():
        return _split_folder(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such dataset (a JSONL file or a folder made by 'tracefabric split')")
    return DatasetSource(path=path, splits={"train": path}, origin=path)


def _split_folder(folder: Path) -> DatasetSource:
    manifest = folder / SPLITS_FILE
    if not manifest.is_file():
        raise DatasetError(
            f"{folder}: a folder dataset needs the {SPLITS_FILE} that 'tracefabric split' writes"
        )
    try:
        info = json.loads(manifest.read_text(encoding="utf-8"))
        entries = info["splits"]
    except (ValueError, KeyError, TypeError):
        raise DatasetError(f"{manifest}: not a split manifest (no 'splits')") from None
    splits: dict[str, Path] = {}
    for name in sorted(entries, key=lambda n: (SPLIT_ORDER.index(n) if n in SPLIT_ORDER else 9, n)):
        file = folder / str(entries[name].get("file", f"{name}.jsonl"))
        if not file.is_file():
            raise DatasetError(f"{manifest}: split {name!r}: {file.name} is missing")
        splits[name] = file
    origin = (folder / str(info.get("source", ""))).resolve()
    if not origin.is_file() and info.get("source_absolute"):
        origin = Path(str(info["source_absolute"]))  # the split folder was moved
    return DatasetSource(path=folder, splits=splits, origin=origin, split_info=info)
