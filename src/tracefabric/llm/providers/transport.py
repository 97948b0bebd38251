"""The HTTP transport under the SDKs.

The OpenAI and Anthropic SDKs ship an aiohttp transport (their `aiohttp` extra, which
tracefabric installs): it halves the client CPU per call compared with the default httpx
stack, which matters when 64 calls are in flight in one event loop. google-genai picks
aiohttp by itself when it is installed. Without aiohttp everything still works on httpx.
"""

from __future__ import annotations

import importlib.util
from typing import Any


def aiohttp_transport(sdk: str, timeout: float) -> Any:
    """The SDK's aiohttp-backed client, or None (the SDK's default) when aiohttp is missing."""
    if importlib.util.find_spec("aiohttp") is None:
        return None
    client_class = importlib.import_module(sdk).DefaultAioHttpClient  # sdk: "openai" or "anthropic"
    try:
        return client_class(timeout=timeout, **_eager_transport(sdk))
    except RuntimeError:  # the SDK's vendored transport could not load
        return None


def _eager_transport(sdk: str) -> dict[str, Any]:
    """The SDK's own aiohttp transport and limits, on a session with the eager request class;
    nothing (the SDK's plain aiohttp client) in a release that moved those pieces."""
    try:
        limits = importlib.import_module(f"{sdk}._constants").DEFAULT_CONNECTION_LIMITS
        transport_class = importlib.import_module(f"{sdk}._vendor.httpx_aiohttp").AiohttpTransport
    except (ImportError, AttributeError):
        return {}
    from .eager_body import session_factory

    transport = transport_class(limits=limits)
    transport.client = lambda: session_factory(
        transport.ssl_context, limit=limits.max_connections or 0, keepalive=limits.keepalive_expiry
    )
    return {"limits": limits, "transport": transport}


def aiohttp_errors() -> tuple[type[BaseException], ...]:
    """aiohttp's connection and payload errors, when aiohttp is installed."""
    if importlib.util.find_spec("aiohttp") is None:
        return ()
    import aiohttp

    return (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError)
