"""Viewer fixtures: a real generated dataset (session-wide), private copies of it, and the
viewer served by uvicorn on 127.0.0.1 in a thread (real HTTP, real SQLite)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tracefabric.viewer.app import create_app
from tracefabric.viewer.server import bind, prepare, uvicorn_config

from .data import make_dataset

TOKEN = "test-token-0123456789abcdef"


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated dataset (do not change it: copy it with `dataset`)."""
    return make_dataset(tmp_path_factory.mktemp("viewer-data"), samples=8)


@pytest.fixture
def dataset(generated: Path, tmp_path: Path) -> Path:
    """A private copy of the generated dataset with its side files (run.json, failures,
    topics); the run's config and mock files stay where run.json says they are."""
    target = tmp_path / "out"
    shutil.copytree(generated.parent, target, ignore=shutil.ignore_patterns("*.view.sqlite", "*llm-cache*"))
    copy = target / generated.name
    # run.json names the dataset by its old path; only the config file's folder matters to replay.
    return copy


@dataclass
class Running:
    base: str
    port: int
    token: str
    sources: list[Any]

    def client(self, **kwargs: Any) -> httpx.Client:
        headers = {"authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.base, headers=headers, timeout=60, **kwargs)

    def get(self, path: str, **params: Any) -> Any:
        with self.client() as client:
            response = client.get(path, params=params)
            assert response.status_code == 200, response.text
            return response.json()


@contextmanager
def running(paths: list[str | Path], index_dir: Path | None = None) -> Iterator[Running]:
    import uvicorn

    sources = prepare([str(p) for p in paths], index_dir, lambda line: None)
    sock = bind(0)
    port = sock.getsockname()[1]
    app = create_app(sources, token=TOKEN, port=port)
    server = uvicorn.Server(uvicorn_config(app))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the viewer did not start")
        time.sleep(0.02)
    try:
        yield Running(f"http://127.0.0.1:{port}", port, TOKEN, sources)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def viewer(dataset: Path) -> Iterator[Running]:
    with running([dataset]) as served:
        yield served


@pytest.fixture
def serve() -> Callable[..., Any]:
    return running
