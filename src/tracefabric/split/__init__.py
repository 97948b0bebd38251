"""Deterministic train/validation/test splits without leakage (`tracefabric split`)."""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {
    "split_dataset": ".assign",
    "SplitReport": ".assign",
    "GROUP_KEYS": ".keys",
    "register_group_key": ".keys",
}

__getattr__ = lazy_exports(__name__, _LAZY)
