"""Hugging Face Hub: the dataset card (card.py) and `push` (upload.py)."""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {"push": ".upload", "PushReport": ".upload", "PushError": ".upload", "dataset_card": ".card"}

__getattr__ = lazy_exports(__name__, _LAZY)
