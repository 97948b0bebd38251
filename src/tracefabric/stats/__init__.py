"""Dataset statistics as data (`dataset_stats` → `DatasetStats`, `.to_json()`), computed in
one streaming pass; the terminal view (`view.py`) and the dataset card only present them."""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {
    "DatasetStats": ".collect",
    "StatsCollector": ".collect",
    "dataset_stats": ".collect",
    "Histogram": ".histogram",
    "token_counter": ".tokens",
    "render_stats": ".view",
}

__getattr__ = lazy_exports(__name__, _LAZY)
