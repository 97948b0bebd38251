"""Fixtures for the sandbox tests: a manifest with the VFS, a nosy probe and a runaway guest."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.loopback import serve
from tracefabric.sandbox.build import PythonSource, build_python
from tracefabric.sandbox.host import SandboxHost

COMPONENTS = Path(__file__).parent / "components"


@pytest.fixture(scope="session")
def manifest_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("manifest")
    shutil.copy(COMPONENTS / "spin.toml", folder / "spin.toml")
    shutil.copytree(COMPONENTS / "runaway", folder / "runaway")
    build_python(PythonSource(COMPONENTS / "probe", "app"), "probe", output=folder / "probe.wasm")
    return folder / "spin.toml"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/redirect-out"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.2:9/elsewhere")
            self.end_headers()
            return
        if self.path.startswith("/redirect-in"):
            self.send_response(302)
            self.send_header("Location", "/hello")
            self.end_headers()
            return
        body = b"hello from loopback"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def web_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 (the only host the probe is granted)."""
    with serve(_Handler) as url:
        yield url


@pytest.fixture
def host(manifest_path: Path, data_dir: Path, web_server: str) -> Iterator[SandboxHost]:
    port = web_server.rsplit(":", 1)[1]
    with SandboxHost(manifest_path, data_dir=data_dir, variables={"port": port}, environ={}) as sandbox_host:
        yield sandbox_host


@pytest.fixture
def vfs(data_dir: Path) -> Iterator[SandboxHost]:
    """The built-in manifest (VFS only)."""
    with SandboxHost(data_dir=data_dir) as sandbox_host:
        yield sandbox_host
