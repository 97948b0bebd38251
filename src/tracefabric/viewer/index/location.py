"""Where a source's index lives: beside it, named after it (`data.jsonl` → `data.view.sqlite`,
a split folder → `<folder>/view.sqlite`), like the run's other side files; in the user cache
(`~/.cache/tracefabric/view/`) when that folder can't be written (a read-only mount, someone
else's dataset); or in `--index-dir` when given."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from tracefabric.paths import cache_dir

SUFFIX = ".view.sqlite"


def _beside(source: Path) -> Path:
    if source.is_dir():
        return source / "view.sqlite"
    name = source.name
    for ext in (".jsonl", ".json"):
        if name.endswith(ext):
            name = name[: -len(ext)]
            break
    return source.with_name(name + SUFFIX)


def _elsewhere(folder: Path, source: Path) -> Path:
    key = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:16]
    return folder / f"{source.name}-{key}{SUFFIX}"


def writable_folder(folder: Path) -> bool:
    """Can files be created in `folder`? Tried, not guessed (`os.access` says yes to root on a
    read-only mount)."""
    probe = folder / f".tracefabric-view-probe-{os.getpid()}"
    try:
        probe.touch(exist_ok=False)
    except OSError:
        return False
    probe.unlink(missing_ok=True)
    return True


def index_location(source: Path, index_dir: Path | None = None) -> Path:
    if index_dir is not None:
        index_dir.mkdir(parents=True, exist_ok=True)
        return _elsewhere(index_dir, source)
    beside = _beside(source)
    if writable_folder(beside.parent) and (not beside.exists() or os.access(beside, os.W_OK)):
        return beside
    folder = cache_dir() / "view"
    folder.mkdir(parents=True, exist_ok=True)
    return _elsewhere(folder, source)
