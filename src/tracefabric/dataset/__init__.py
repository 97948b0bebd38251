"""Reading datasets as streams: records one at a time (upgraded to the current schema and
validated, bad lines reported with their number), and what lies next to a dataset file."""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {
    "DatasetError": ".reader",
    "BadRecord": ".reader",
    "read_records": ".reader",
    "upgrade_record": ".upgrade",
    "DatasetSource": ".source",
    "open_dataset": ".source",
}

__getattr__ = lazy_exports(__name__, _LAZY)
