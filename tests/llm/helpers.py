"""Helpers of the LLM layer tests."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from tracefabric.llm import LLM, FakeClock, LLMConfig
from tracefabric.llm.testing import StubServer

T = TypeVar("T")
API_KEY = "sk-test-key"


_opened: list[LLM] = []


def run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, closing the SDK clients that `cloud_llm` LLMs opened in that loop."""

    async def main() -> T:
        try:
            return await coro
        finally:
            for llm in _opened:
                await llm.aclose()

    return asyncio.run(main())


def base_url(stub: StubServer, provider: str) -> str:
    return stub.openai_url if provider in ("openai", "openrouter", "ollama") else stub.url


def cloud_llm(stub: StubServer, provider: str, *, clock: FakeClock | None = None, **config: Any) -> LLM:
    """An LLM on the stub with no cache and a virtual clock (retry waits are recorded, not spent)."""
    settings: dict[str, Any] = {
        "provider": provider,
        "model": "test-model",
        "base_url": base_url(stub, provider),
    }
    settings.update(config)
    llm = LLM(LLMConfig(**settings), cache=False, clock=clock or FakeClock(auto_advance=True))
    _opened.append(llm)
    return llm
