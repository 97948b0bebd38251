"""Types of the LLM layer: messages, requests to providers, results with usage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from tracefabric.errors import TracefabricError

T = TypeVar("T")

# OpenAI-style chat messages: {"role": "system"|"user"|"assistant", "content": "..."}.
Message = dict[str, Any]


@dataclass
class CompletionRequest:
    """What a provider is asked for. `json_schema` set means: answer with JSON matching it."""

    messages: list[Message]
    json_schema: dict[str, Any] | None = None
    schema_name: str = "answer"
    temperature: float = 0.7
    max_tokens: int = 1024
    timeout: float = 120.0
    seed: int | None = None


@dataclass
class CompletionResponse:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None
    # Provider-specific speed figures (the local model reports prompt/generation tokens per second).
    timings: dict[str, Any] | None = None


@dataclass
class Usage:
    provider: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    attempts: int = 1  # provider calls made (repairs and retries included)
    retries: int = 0
    cached: bool = False  # answered from the response cache: nothing was paid
    cost_usd: float | None = None  # None: no price known for this model
    repairs: int = 0  # extra turns spent fixing invalid answers

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class LLMResult(Generic[T]):
    value: T
    usage: Usage
    raw: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class LLMError(TracefabricError):
    """The LLM call failed for good (after retries and repairs)."""


class ValidationFailed(LLMError):
    """The model's answer never satisfied the schema; carries the last raw output."""

    def __init__(self, message: str, raw: str) -> None:
        super().__init__(message)
        self.raw = raw


class ProviderError(LLMError):
    """An error reported by the provider. `retryable` errors are retried with backoff.

    `unreachable` is set when no connection could be made at all (refused, no such host, no
    route), e.g. "connection refused at http://127.0.0.1:11434/v1": after a few quick
    retries the call raises `EndpointUnreachable` instead."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        unreachable: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        self.unreachable = unreachable


class EndpointUnreachable(TracefabricError):
    """The LLM endpoint cannot be reached at all (nothing listens, no such host, no route).

    Not an `LLMError` on purpose: no sample-level handler may take it for one sample's
    failure. Every call would fail the same way, so a run stops at once (what it wrote is
    kept; `--resume` continues) and the CLI exits with status 3."""

    exit_code = 3

    def __init__(self, detail: str) -> None:
        super().__init__(f"cannot reach the LLM endpoint: {detail}")
        self.detail = detail


class BudgetExceeded(LLMError):
    """A run budget (tokens or cost) was reached: the run stops gracefully, resumable."""
