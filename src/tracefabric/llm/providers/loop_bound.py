"""An SDK client per event loop: async HTTP clients hold connections bound to the loop that
opened them, and a program may run several loops one after the other (asyncio.run twice)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

C = TypeVar("C")


async def _default_close(client: object) -> None:
    await client.close()  # type: ignore[attr-defined]


class LoopBound(Generic[C]):
    def __init__(self, make: Callable[[], C], close: Callable[[C], Awaitable[None]] = _default_close) -> None:
        self._make = make
        self._close = close
        self._client: C | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> C:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            # The old client's connections died with their loop; nothing to close there.
            self._client = self._make()
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._close(self._client)
        self._client = None
        self._loop = None
