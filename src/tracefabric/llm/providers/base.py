"""The provider protocol: one completion, structured (JSON schema) or plain text.

Adapters may also have `base_url` (their endpoint, part of cache and limiter keys) and
`async warmup()` (load what the first call would: the local model).
"""

from __future__ import annotations

from typing import Protocol

from tracefabric.llm.types import CompletionRequest, CompletionResponse


class Provider(Protocol):
    name: str
    model: str

    async def complete(self, request: CompletionRequest) -> CompletionResponse:
        """One call. Raise `ProviderError` (with `retryable`, `status`, `retry_after`) on failures;
        never retry inside: the `LLM` retries, so the shared limiter sees every attempt."""
        ...

    async def aclose(self) -> None: ...
