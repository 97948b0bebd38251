"""Where tracefabric keeps caches and data (XDG locations, overridable by environment)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Built components, compiled artifacts, joined model weights. Shared by processes."""
    explicit = os.environ.get("TRACEFABRIC_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(base).expanduser() / "tracefabric"


def data_dir() -> Path:
    """Key-value stores of the in-process sandbox and the tool server."""
    explicit = os.environ.get("TRACEFABRIC_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or "~/.local/share"
    return Path(base).expanduser() / "tracefabric"
