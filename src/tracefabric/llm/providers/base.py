"""The provider protocol: one completion, structured (JSON schema) or plain text."""

from __future__ import annotations

from typing import Protocol

from tracefabric.llm.types import CompletionRequest, CompletionResponse


class Provider(Protocol):
    name: str
    model: str

    async def complete(self, request: CompletionRequest) -> CompletionResponse:
        """One call. Raise `ProviderError` (with `retryable`) on failures."""
        ...

    async def aclose(self) -> None: ...
