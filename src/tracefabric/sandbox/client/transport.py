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
from typing import TYPE_CHECKING, Any, Protocol

from tracefabric.sandbox.api.wire import encode_json, encode_query

if TYPE_CHECKING:  # the host (and wasmtime) load only when a sandbox runs in this process
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
    """Runs components in this process. Async calls run on a worker pool (Wasm calls block).

    Bodies go through the same JSON encoding as over HTTP, both ways, so results and errors
    are the same as a tool server's, value for value.
    """

    def __init__(self, host: SandboxHost, *, workers: int = 16) -> None:
        from tracefabric.sandbox.api.router import Router, encode_response

        self.host = host
        self.router = Router(host)
        self._encode_response = encode_response
        self._executor: ThreadPoolExecutor | None = None
        self._workers = workers

    def request(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        raw = None if body is None else encode_json(body)
        status, payload = self._encode_response(*self.router.handle(method, path, raw, encode_query(query)))
        return status, json.loads(payload)

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
