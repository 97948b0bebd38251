"""Shared test setup.

Built and compiled components are cached in the user cache (TRACEFABRIC_CACHE_DIR if set), so
one test run builds each component once and later runs reuse it. Key-value data always goes
to a temporary directory.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# No test may reach a real LLM or leave data in the user's folders.
os.environ.setdefault("TRACEFABRIC_DATA_DIR", tempfile.mkdtemp(prefix="tracefabric-test-data-"))
for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENROUTER_API_KEY"):
    os.environ.pop(key, None)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "kv"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def vfs_host_factory() -> Iterator[object]:
    """Build a SandboxHost over the built-in manifest with its own data dir (components cached)."""
    from tracefabric.sandbox.host import SandboxHost

    hosts: list[SandboxHost] = []

    def make(data_dir: Path, **kwargs: object) -> SandboxHost:
        host = SandboxHost(data_dir=data_dir, **kwargs)  # type: ignore[arg-type]
        hosts.append(host)
        return host

    yield make
    for host in hosts:
        host.close()
