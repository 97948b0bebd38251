"""`tracefabric view`: a local web app for datasets, failures files, run.json and evaluation
reports — an SQLite index per file (built once, followed as the file grows), a JSON API over
it, and one page of plain JS and CSS shipped in the package (nothing remote, nothing to build).

- `sources`: what each path is (dataset, failures, run, evaluation; a verify report joins
  its dataset);
- `index/`: the indexes (records, failures), their filters and full-text search;
- `views/`: what the pages show (overview, one record's timeline, quality and claims,
  the replayed workspace, evaluation reports);
- `app`, `access`, `server`: the HTTP side (127.0.0.1 only, the tool server's Host/Origin
  guard and slow-client deadlines from `tracefabric.asgi`, a random token).
"""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {
    "open_sources": ".sources",
    "create_app": ".app",
    "serve": ".server",
    "RecordIndex": ".index.records",
    "FailureIndex": ".index.failures",
    "record_view": ".views.timeline",
}

__getattr__ = lazy_exports(__name__, _LAZY)
