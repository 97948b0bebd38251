"""Fixtures for the mock tests: sandboxes over the built-in manifest, real MCP servers.

The MCP test server (`mcp_catalog.py`, written with the official SDK) runs over stdio as a
subprocess and over streamable HTTP on 127.0.0.1 (uvicorn in a thread). The mock
component is built and compiled once (cached across runs).
"""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tracefabric.mock import MockTools
from tracefabric.sandbox import Sandbox

HERE = Path(__file__).parent
CATALOG = HERE / "mcp_catalog.py"
STDIO_COMMAND = f"{sys.executable} {CATALOG}"


class BackgroundServer:
    """An ASGI app served by uvicorn on 127.0.0.1 (a free port) in a daemon thread."""

    def __init__(self, app: Any, host: str = "127.0.0.1") -> None:
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host=host, port=0, log_level="error", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.host = host

    def __enter__(self) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    @property
    def port(self) -> int:
        return self.server.servers[0].sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def mcp_url() -> Iterator[str]:
    """The MCP catalog over streamable HTTP: http://127.0.0.1:PORT/mcp."""
    from . import mcp_catalog

    with BackgroundServer(mcp_catalog.http_app()) as server:
        yield f"{server.url}/mcp"


@pytest.fixture
def sandbox(data_dir: Path) -> Iterator[Sandbox]:
    with Sandbox.in_process(data_dir=data_dir, pool_size=0) as client:
        yield client


@pytest.fixture
def mock(sandbox: Sandbox) -> MockTools:
    return MockTools(sandbox, namespace=f"t-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def router(sandbox: Sandbox) -> Any:
    return sandbox.transport.router  # type: ignore[attr-defined]


WEATHER = {
    "name": "get_weather",
    "description": "Current weather for a city.",
    "inputSchema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "units": {"type": "string", "enum": ["metric", "imperial"], "default": "metric"},
            "when": {
                "type": "object",
                "properties": {"day": {"type": "integer", "minimum": 0}, "hour": {"type": "integer"}},
            },
        },
        "required": ["city"],
    },
    "annotations": {"readOnlyHint": True},
}

ORDER = {
    "name": "create_order",
    "description": "Create an order.",
    "inputSchema": {
        "type": "object",
        "properties": {
            "customer": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "vip": {"type": "boolean"},
                },
                "required": ["id"],
            },
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}},
                    "required": ["sku", "qty"],
                },
                "minItems": 1,
            },
            "note": {"type": "string"},
        },
        "required": ["customer", "items"],
    },
    "outputSchema": {
        "type": "object",
        "properties": {
            "order_id": {"type": "string"},
            "status": {"type": "string", "enum": ["created", "rejected"]},
            "total": {"type": "number"},
            "customer_id": {"type": "integer"},
        },
        "required": ["order_id", "status"],
    },
    "annotations": {"destructiveHint": True},
}
