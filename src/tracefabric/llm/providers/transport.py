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
    try:
        if sdk == "openai":
            from openai import DefaultAioHttpClient
            from openai._constants import DEFAULT_CONNECTION_LIMITS
            from openai._vendor.httpx_aiohttp import AiohttpTransport
        else:
            from anthropic import DefaultAioHttpClient  # type: ignore[assignment]
            from anthropic._constants import DEFAULT_CONNECTION_LIMITS  # type: ignore[assignment]
            from anthropic._vendor.httpx_aiohttp import AiohttpTransport  # type: ignore[assignment]
    except ImportError:  # an SDK release that moved them: its plain aiohttp client
        return _plain(sdk, timeout)
    from .eager_body import session_factory

    limits = DEFAULT_CONNECTION_LIMITS
    transport = AiohttpTransport(limits=limits)
    transport.client = lambda: session_factory(
        transport.ssl_context, limit=limits.max_connections or 0, keepalive=limits.keepalive_expiry
    )
    try:
        return DefaultAioHttpClient(timeout=timeout, limits=limits, transport=transport)
    except RuntimeError:  # the SDK's vendored transport could not load
        return None


def _plain(sdk: str, timeout: float) -> Any:
    if sdk == "openai":
        from openai import DefaultAioHttpClient
    else:
        from anthropic import DefaultAioHttpClient  # type: ignore[assignment]
    try:
        return DefaultAioHttpClient(timeout=timeout)
    except RuntimeError:
        return None


def aiohttp_errors() -> tuple[type[BaseException], ...]:
    """aiohttp's connection and payload errors, when aiohttp is installed."""
    if importlib.util.find_spec("aiohttp") is None:
        return ()
    import aiohttp

    return (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError)
