"""Fixtures for custom components: the C example, a C SDK probe, a scaffolded Python component.

Builds are shared by the whole session and kept few: one Python build (cached by content
hash across runs) and a handful of C builds (about a second each). The C toolchain is
required in CI (`.ci/run` installs it); elsewhere its tests skip when it is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.loopback import serve
from tracefabric.sandbox.build import ToolchainMissing, build_c, build_components, find_c_toolchain

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "components"
PROBE_SOURCE = Path(__file__).parent / "probe" / "probe.c"

# Tools appended to the scaffolded Python component: one per capability of the guest SDK.
CAPABILITY_TOOLS = """
from tracefabric.guest import http, kv, variables


@component.tool(description="Remember a note in the session's store")
def remember(note: str) -> str:
    kv.open("default").set("note", note)
    return "remembered " + kv.open("default").get_text("note")


@component.tool(description="Fetch a URL through the host")
def fetch(url: str) -> str:
    return http.get(url).text


@component.tool(description="Length of the api_key variable")
def api_key_length() -> int:
    return len(variables.get("api_key"))


"""


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`tracefabric ARGS` in a fresh process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "tracefabric.cli.main", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def c_toolchain() -> None:
    try:
        find_c_toolchain()
    except ToolchainMissing as exc:
        if os.environ.get("CI"):
            raise  # CI installs the toolchain: a missing one is a failure there
        pytest.skip(f"C toolchain not installed: {exc}")


@pytest.fixture(scope="session")
def inventory_manifest(c_toolchain: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of examples/components, built with `build_components` (as `component build` does)."""
    folder = tmp_path_factory.mktemp("examples")
    shutil.copytree(EXAMPLES, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.wasm"))
    manifest = folder / "spin.toml"
    build_components(manifest)
    return manifest


@pytest.fixture(scope="session")
def inventory_wasm(inventory_manifest: Path) -> Path:
    return inventory_manifest.parent / "inventory" / "inventory.wasm"


@pytest.fixture(scope="session")
def probe_wasm(c_toolchain: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_c([PROBE_SOURCE], tmp_path_factory.mktemp("probe") / "probe.wasm")


@pytest.fixture(scope="session")
def python_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`component new weather` (Python), with capability tools added, built with `component build`.

    Returns the project folder (holding spin.toml and weather/).
    """
    folder = tmp_path_factory.mktemp("python-project")
    created = run_cli("component", "new", "weather", cwd=folder)
    assert created.returncode == 0, created.stderr
    app = folder / "weather" / "src" / "app.py"
    source = app.read_text()
    marker = "WitWorld = component.export()"
    assert marker in source
    app.write_text(source.replace(marker, CAPABILITY_TOOLS + marker))
    built = run_cli("component", "build", cwd=folder)
    assert built.returncode == 0, built.stdout + built.stderr
    return folder


def write_manifest(path: Path, component: str, wasm: Path, grants: str = "", variables: str = "") -> Path:
    """A manifest running an already built component with exactly `grants`."""
    path.write_text(
        f"""spin_manifest_version = 2
[application]
name = "grants-test"
{variables}
[component.{component}]
source = {json.dumps(str(wasm))}
{grants}
"""
    )
    return path


class _PriceHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        prices = {"/prices/apple": {"unit_price": 0.35, "currency": "EUR"}}
        if self.path in prices:
            self._send(200, json.dumps(prices[self.path]).encode())
        elif self.path == "/prices/garbled":
            self._send(200, b"{not json")
        elif self.path == "/hello":
            self._send(200, b"hello from loopback")
        else:
            self._send(404, b"{}")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def price_server() -> Iterator[str]:
    """A real price service on 127.0.0.1."""
    with serve(_PriceHandler) as url:
        yield url
