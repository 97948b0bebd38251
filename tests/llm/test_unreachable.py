"""An LLM endpoint that is not there: reported as such (not as a timeout), and a run stops.

The endpoint is a closed loopback port (bound, its number taken, closed): connecting to it
is refused at once, as with no Ollama running. The calls go through the real SDKs.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tracefabric.llm import LLM, EndpointUnreachable, FakeClock, LLMConfig, ProviderError
from tracefabric.llm.client import UNREACHABLE_RETRIES
from tracefabric.llm.providers.errors import unreachable_reason
from tracefabric.llm.testing import Reply, StubServer

from .helpers import API_KEY, base_url, cloud_llm, run

PROVIDERS = ["openai", "anthropic", "gemini"]
MESSAGES = [{"role": "user", "content": "hi"}]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _url(provider: str, port: int) -> str:
    root = f"http://127.0.0.1:{port}"
    return f"{root}/v1" if provider == "openai" else root


def _llm(provider: str, url: str) -> LLM:
    config = LLMConfig(provider=provider, model="m", base_url=url, max_retries=5, cache=False)
    return LLM(config, cache=False, clock=FakeClock(auto_advance=True))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_refused_connection_is_named_with_its_url(provider: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{provider.upper()}_API_KEY", API_KEY)
    url = _url(provider, closed_port())
    llm = _llm(provider, url)

    async def call() -> None:
        try:
            await llm.text(MESSAGES)
        finally:
            await llm.aclose()

    with pytest.raises(EndpointUnreachable) as caught:
        asyncio_run(call())
    assert str(caught.value) == f"cannot reach the LLM endpoint: connection refused at {url}"
    cause = caught.value.__cause__
    assert isinstance(cause, ProviderError) and "timeout" not in str(cause)
    # A few quick retries, not max_retries (5) of them.
    assert llm.usage_tracker.snapshot()["totals"]["requests"] == 1 + UNREACHABLE_RETRIES


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_server_that_accepts_then_is_slow_is_a_timeout(stub: StubServer, provider: str) -> None:
    stub.script(*[Reply(delay=5.0)] * 2)
    llm = cloud_llm(stub, provider, timeout=0.3, max_retries=1)
    with pytest.raises(ProviderError) as caught:
        run(llm.text(MESSAGES))
    assert caught.value.unreachable is None
    assert "timeout" in str(caught.value) and "refused" not in str(caught.value)
    assert len(stub.requests) == 2  # the normal retries of a transient error


def test_the_socket_errors_that_mean_unreachable() -> None:
    import aiohttp

    def wrapped(os_error: OSError) -> BaseException:
        # As the SDKs see it: aiohttp's connector error inside the SDK's own exception.
        key = aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None)
        inner = aiohttp.ClientConnectorError(key, os_error)
        outer = RuntimeError("Request timed out.")
        outer.__cause__ = inner
        return outer

    assert unreachable_reason(wrapped(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))) == (
        "connection refused"
    )
    assert unreachable_reason(wrapped(socket.gaierror(socket.EAI_NONAME, "no name"))) == "host name not found"
    assert unreachable_reason(wrapped(OSError(errno.ENETUNREACH, "x"))) == "network unreachable"
    assert unreachable_reason(wrapped(OSError(errno.EHOSTUNREACH, "x"))) == "no route to host"
    assert unreachable_reason(TimeoutError("read timed out")) is None
    assert unreachable_reason(wrapped(ConnectionResetError(errno.ECONNRESET, "reset"))) is None


def test_max_retries_zero_means_no_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    config = LLMConfig(provider="openai", model="m", base_url=_url("openai", closed_port()), max_retries=0)
    llm = LLM(config, cache=False, clock=FakeClock(auto_advance=True))

    async def call() -> None:
        try:
            await llm.text(MESSAGES)
        finally:
            await llm.aclose()

    with pytest.raises(EndpointUnreachable):
        asyncio_run(call())
    assert llm.usage_tracker.snapshot()["totals"]["requests"] == 1


def asyncio_run(coro: Any) -> Any:
    import asyncio

    return asyncio.run(coro)


# -- a generation run through the CLI --------------------------------------------------

CONCURRENCY = 4


def _responder() -> Any:
    """Distinct subtopics and questions, so the dataset's duplicate gates keep every record."""
    counter = itertools.count()

    def respond(body: dict[str, Any]) -> Any:
        schema = body["response_format"]["json_schema"]["schema"]
        props = schema.get("properties", {})
        n = next(counter)
        if "question" in props:
            return {"question": f"What is the fact number {n}?", "answer": f"Fact {n}."}
        return {key: [f"subject {n} {i}" for i in range(12)] for key in props}

    return respond


def _config(folder: Path, url: str) -> Path:
    config = {
        "llm": {"provider": "openai", "base_url": url, "api_key_env": "TRACEFABRIC_TEST_KEY", "cache": False},
        "topics": {"prompt": "facts", "depth": 1, "degree": 3},
        "generation": {"kind": "basic"},
        "output": {"path": str(folder / "out" / "dataset.jsonl"), "concurrency": CONCURRENCY},
    }
    path = folder / "run.yaml"
    path.write_text(json.dumps(config))
    return path


def _generate(config: Path, samples: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracefabric.cli.main", "generate", str(config), "-n", str(samples)],
        env={**os.environ, "TRACEFABRIC_TEST_KEY": API_KEY},
        capture_output=True,
        text=True,
        timeout=600,
    )


def _records(folder: Path) -> int:
    return len((folder / "out" / "dataset.jsonl").read_text().splitlines())


def test_a_run_stops_at_once_when_the_endpoint_goes_away_and_resumes_later(tmp_path: Path) -> None:
    stub = StubServer(api_key=API_KEY)
    stub.state.responder = _responder()
    with stub:
        url = base_url(stub, "openai")
        port = stub.port
        config = _config(tmp_path, url)
        first = _generate(config, 2)
        assert first.returncode == 0, first.stderr
    assert _records(tmp_path) == 2

    # Nothing listens on the port any more: 13 samples to go, every call refused.
    second = _generate(config, 15)
    assert second.returncode == 3, second.stderr
    errors = [line for line in second.stderr.splitlines() if "error" in line.lower()]
    assert errors == [f"error: cannot reach the LLM endpoint: connection refused at {url}"]
    assert "Traceback" not in second.stderr
    assert _records(tmp_path) == 2  # what was written is kept
    run_json = json.loads((tmp_path / "out" / "dataset.run.json").read_text())
    assert run_json["stop_reason"].endswith(f"connection refused at {url}")
    # The samples in flight each tried once + a few quick retries, then the run stopped: not
    # max_retries (5) per call times 3 attempts per sample times 13 samples.
    assert 1 <= run_json["usage"]["totals"]["requests"] <= CONCURRENCY * (1 + UNREACHABLE_RETRIES)
    failures = tmp_path / "out" / "dataset.failures.jsonl"
    assert not failures.exists() or not failures.read_text().strip()  # no sample was blamed

    # The endpoint is back: the same command continues where the run stopped.
    stub = StubServer(api_key=API_KEY, port=port)
    stub.state.responder = _responder()
    with stub:
        third = _generate(config, 15)
    assert third.returncode == 0, third.stderr
    assert _records(tmp_path) == 15
