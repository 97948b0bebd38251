"""Fixtures of the LLM layer tests: a stub server speaking the cloud wire formats on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tracefabric.llm.testing import StubServer

from .helpers import API_KEY


@pytest.fixture(scope="session")
def stub_server() -> Iterator[StubServer]:
    with StubServer(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def stub(stub_server: StubServer, monkeypatch: pytest.MonkeyPatch) -> StubServer:
    """The shared stub, emptied, with every provider's key variable set."""
    stub_server.state.script.clear()
    stub_server.state.requests.clear()
    stub_server.state.latency = 0.0
    for variable in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY"):
        monkeypatch.setenv(variable, API_KEY)
    return stub_server
