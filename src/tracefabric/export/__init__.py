"""Exports of a dataset for trainers: `openai`, `hf`, `sharegpt`, `text` (see docs/export.md).

from tracefabric.export import export
report = export("out/dataset.jsonl", format="hf", out="out/hf")
"""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {
    "export": ".run",
    "ExportReport": ".run",
    "ExportOptions": ".options",
    "FORMATS": ".formats",
}

__getattr__ = lazy_exports(__name__, _LAZY)
