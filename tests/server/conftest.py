"""Fixtures for the tool server tests: a manifest with the VFS and a test component, real servers.

Servers bind 127.0.0.1 on a free port chosen by the kernel; components are built and
compiled once (cached across runs).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tracefabric.sandbox.build import PythonSource, build_python
from tracefabric.server import ServerConfig, ToolServer

COMPONENTS = Path(__file__).parent / "components"

# `ops` has a runaway tool: its 2 s wall-clock deadline (epoch) stops it long before its fuel.
MANIFEST = """
spin_manifest_version = 2

[application]
name = "server-tests"

[[trigger.http]]
route = "/vfs/..."
component = "vfs"

[[trigger.http]]
route = "/ops/..."
component = "ops"

[[trigger.http]]
route = "/off/..."
component = "off"

[component.vfs]
source = "builtin:vfs"
description = "Session-isolated virtual filesystem"
key_value_stores = ["default"]

[component.ops]
source = "{ops}"
description = "Test component: runaway and fast tools, management operations"
key_value_stores = ["default"]
timeout_ms = 2000
fuel = 1_000_000_000_000

[component.off]
source = "builtin:vfs"
key_value_stores = ["default"]
enabled = false
"""


@pytest.fixture(scope="session")
def manifest_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wasm = build_python(PythonSource(COMPONENTS / "ops", "app"), "server-test-ops")
    path = tmp_path_factory.mktemp("manifest") / "spin.toml"
    path.write_text(MANIFEST.format(ops=wasm))
    return path


def start_server(manifest: Path, data_dir: Path, **options: object) -> ToolServer:
    config = ServerConfig(host="127.0.0.1", port=0, manifest=manifest, data_dir=data_dir, **options)  # type: ignore[arg-type]
    return ToolServer(config, announce=lambda line: None).start()


@pytest.fixture(scope="module")
def server(manifest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ToolServer]:
    """One real server (uvicorn on 127.0.0.1) per test module."""
    srv = start_server(manifest_path, tmp_path_factory.mktemp("server-data"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def url(server: ToolServer) -> str:
    return server.url


@pytest.fixture
def http(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30, trust_env=False) as client:
        yield client


@pytest.fixture
def session_id() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"
