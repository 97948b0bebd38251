"""The tool server's wire format (framework-independent router).

Imports are lazy: `wire` is light (the HTTP client uses it), `router` pulls in the host.
"""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {
    "MAX_BODY_BYTES": ".router",
    "Router": ".router",
    "SessionObserver": ".router",
    "encode_response": ".router",
    "error_body": ".router",
    "encode_json": ".wire",
    "encode_query": ".wire",
    "path_segment": ".wire",
    "split_path": ".wire",
}

__all__ = sorted(_LAZY)


__getattr__ = lazy_exports(__name__, _LAZY)
