"""Resolve the OpenAI/Anthropic SDK's platform name once per client, not once per request.

Both SDKs put the OS name in telemetry headers and work it out (`platform.platform()`, which
reads the Python binary to find the libc version) in a worker thread on a client's first
request, and so does every request that starts before the first one has finished it: at
the start of a run with 64 samples in flight, 64 threads do it at once and the first
requests leave ~40 ms late, all together. Here the first request works it out and the
others wait for that one answer.
"""

from __future__ import annotations

import asyncio
import importlib
import weakref
from typing import Any

_pending: weakref.WeakKeyDictionary[Any, asyncio.Future[Any]] = weakref.WeakKeyDictionary()


async def settle_platform(client: Any) -> None:
    if getattr(client, "_platform", False) is not None:
        return  # known already (or an SDK release without it)
    future = _pending.get(client)
    if future is None:
        try:
            get_platform = importlib.import_module(
                type(client).__module__.split(".")[0] + "._base_client"
            ).get_platform
        except (ImportError, AttributeError):
            return
        future = _pending[client] = asyncio.ensure_future(asyncio.to_thread(get_platform))
    platform = await asyncio.shield(future)
    if client._platform is None:
        client._platform = platform
