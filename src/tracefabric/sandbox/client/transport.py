"""Transports: how a `Sandbox` client reaches the tool host (httpx-style: one interface).

A transport speaks the tool server's wire format: `request(method, path, json_body, query)`
returns `(status, json)`. `InProcessTransport` runs the host in this process through the
same router the HTTP server uses; the HTTP transport (see `http.py`) talks to a tool server
(ours, or a DeepFabric Spin tools-sdk service).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from tracefabric.sandbox.api import Router
from tracefabric.sandbox.host import SandboxHost


class Transport(Protocol):
    def request(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]: ...

    async def arequest(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]: ...

    def close(self) -> None: ...

    async def aclose(self) -> None: ...


class InProcessTransport:
    """Runs components in this process. Async calls run on a worker pool (Wasm calls block)."""

    def __init__(self, host: SandboxHost, *, workers: int = 16) -> None:
        self.host = host
        self.router = Router(host)
        self._executor: ThreadPoolExecutor | None = None
        self._workers = workers

    def request(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        raw = None if body is None else json.dumps(body).encode("utf-8")
        return self.router.handle(method, path, raw, query)

    async def arequest(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="tracefabric-sandbox")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.request, method, path, body, query)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self.host.close()

    async def aclose(self) -> None:
        self.close()
