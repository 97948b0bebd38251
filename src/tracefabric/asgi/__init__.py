"""What every tracefabric HTTP server on this machine needs besides its routes.

- `guard`: keeps browsers out (DNS rebinding via `Host`, cross-site requests via `Origin`
  and `Sec-Fetch-Site`, form/text bodies via `Content-Type`), as a checker and as ASGI
  middleware answering JSON 403s.
- `protocol`: uvicorn's HTTP protocol with deadlines for clients that never finish sending
  their headers or body (408) and JSON bodies for malformed HTTP (400).
- `responses`: JSON answers, through ASGI or straight onto a transport.

The tool server (`tracefabric serve`) and the trace viewer (`tracefabric view`) use all three.
Imports are lazy: the guard needs no web framework.
"""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {
    "RequestGuard": ".guard",
    "GuardMiddleware": ".guard",
    "Refusal": ".guard",
    "guarded_protocol": ".protocol",
    "send_json": ".responses",
    "http_response": ".responses",
}

__all__ = sorted(_LAZY)


__getattr__ = lazy_exports(__name__, _LAZY)
