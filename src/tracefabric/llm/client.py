"""`LLM`: one reliable call that returns a validated, typed answer.

    llm = LLM(LLMConfig(provider="scripted"), provider=ScriptedProvider([...]))
    result = await llm.structured(messages, Answer)        # Answer: a pydantic model
    result.value  # an Answer instance;  result.usage  # tokens, latency, provider, model

`schema` may also be a JSON schema dict: then `value` is the parsed, validated dict.
Invalid answers are repaired: the validation error goes back to the model, up to
`repair_attempts` times; the final failure raises `ValidationFailed` with the raw output.

Around every provider request: the run budget is checked (`BudgetExceeded` before sending),
the shared provider+model limiter grants a slot (concurrency, requests/min, tokens/min),
transient errors are retried with backoff (`max_retries`), and usage is recorded in the
run's `UsageTracker`. Validated answers are stored in the response cache.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, TypeVar, overload

from pydantic import BaseModel

from .cache import ResponseCache, cache_key, open_cache
from .config import LLMConfig
from .limits import Clock, MonotonicClock, ProviderLimiter, shared_limiter
from .pricing import cost_of, price_of
from .providers.base import Provider
from .providers.errors import OVERLOAD_STATUS
from .retry import Backoff
from .schema import schema_of, strip_fences, validate_answer
from .types import (
    CompletionRequest,
    CompletionResponse,
    EndpointUnreachable,
    LLMResult,
    Message,
    ProviderError,
    Usage,
    ValidationFailed,
)
from .usage import UsageTracker

M = TypeVar("M", bound=BaseModel)

__all__ = ["LLM", "schema_of", "strip_fences"]

# Quick retries of a connection that could not be made at all (waits of 0.25-0.5 s, then 0.5-1 s).
UNREACHABLE_RETRIES = 2

TRUNCATED = frozenset({"length", "max_tokens", "MAX_TOKENS", "FinishReason.MAX_TOKENS"})


class LLM:
    def __init__(
        self,
        config: LLMConfig,
        *,
        provider: Provider | None = None,
        usage: UsageTracker | None = None,
        cache: ResponseCache | str | Path | bool | None = None,
        limiter: ProviderLimiter | None = None,
        clock: Clock | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        """`usage`: the run's tracker (shared by all its LLMs; a private one if omitted).
        `cache`: a ResponseCache, a file path (e.g. in the run folder), True for the user cache,
        False for none; default: the user cache when `config.cache`, except for scripted providers.
        `limiter`/`clock`: testing hooks; by default the process-wide limiter of provider+model."""
        self.config = config
        if provider is None:
            from .providers.registry import make_provider

            provider = make_provider(config)
        self.provider = provider
        self.usage_tracker = usage if usage is not None else UsageTracker()
        self.clock: Clock = clock or (limiter.clock if limiter else MonotonicClock())
        self.backoff = backoff or Backoff()
        self.base_url: str | None = getattr(provider, "base_url", None)
        if limiter is None:
            if clock is not None:
                limiter = ProviderLimiter(
                    f"{provider.name}:{provider.model}",
                    max_concurrency=config.max_concurrency or 64,
                    requests_per_minute=config.requests_per_minute,
                    tokens_per_minute=config.tokens_per_minute,
                    clock=clock,
                )
            else:
                limiter = shared_limiter(
                    provider.name,
                    provider.model,
                    self.base_url,
                    max_concurrency=config.max_concurrency,
                    requests_per_minute=config.requests_per_minute,
                    tokens_per_minute=config.tokens_per_minute,
                )
        self.limiter = limiter
        self.cache = self._open_cache(cache)
        if config.price_prompt_per_mtok is not None or config.price_completion_per_mtok is not None:
            self.price: tuple[float, float] | None = (
                config.price_prompt_per_mtok or 0.0,
                config.price_completion_per_mtok or 0.0,
            )
        else:
            self.price = price_of(provider.name, provider.model)

    def _open_cache(self, cache: ResponseCache | str | Path | bool | None) -> ResponseCache | None:
        if isinstance(cache, ResponseCache):
            return cache
        if cache is None:
            cache = self.config.cache and self.provider.name != "scripted"
        if cache is False:
            return None
        return open_cache(None if cache is True else cache)

    # -- building blocks ----------------------------------------------------------------
    def _request(
        self,
        messages: list[Message],
        json_schema: dict[str, Any] | None,
        temperature: float | None,
        max_tokens: int | None,
        schema_name: str,
    ) -> CompletionRequest:
        return CompletionRequest(
            messages=list(messages),
            json_schema=json_schema,
            schema_name=schema_name,
            temperature=self.config.temperature if temperature is None else temperature,
            max_tokens=self.config.max_tokens if max_tokens is None else max_tokens,
            timeout=self.config.timeout,
            seed=self.config.seed,
        )

    def _estimate_tokens(self, request: CompletionRequest) -> float:
        if self.limiter.tokens is None:
            return 0.0
        chars = sum(len(str(m.get("content") or "")) for m in request.messages)
        if request.json_schema is not None:
            chars += len(str(request.json_schema))
        return chars / 4 + request.max_tokens

    async def _send(self, request: CompletionRequest, usage: Usage) -> CompletionResponse:
        """One provider answer: budget check, limiter slot, retries of transient errors.

        An endpoint that cannot be reached at all gets `UNREACHABLE_RETRIES` quick retries
        (a server restarting), then `EndpointUnreachable`: every call would fail the same way."""
        retry = 0
        unreachable_retries = 0
        while True:
            self.usage_tracker.check_budget()
            slot = await self.limiter.acquire(self._estimate_tokens(request))
            try:
                response = await self.provider.complete(request)
            except ProviderError as exc:
                usage.attempts += 1
                self.limiter.failed(
                    slot,
                    overloaded=exc.status in OVERLOAD_STATUS,
                    retry_after=exc.retry_after if exc.retryable else None,
                )
                self.usage_tracker.record_request(self.provider.name, self.provider.model, 0, 0, 0.0)
                if exc.unreachable is not None:
                    if unreachable_retries >= min(UNREACHABLE_RETRIES, self.config.max_retries):
                        raise EndpointUnreachable(exc.unreachable) from exc
                    await self.clock.sleep(self.backoff.delay(unreachable_retries))
                    unreachable_retries += 1
                    usage.retries += 1
                    continue
                if not exc.retryable or retry >= self.config.max_retries:
                    raise
                await self.clock.sleep(self.backoff.delay(retry, exc.retry_after))
                retry += 1
                usage.retries += 1
                continue
            except BaseException:
                self.limiter.failed(slot)
                raise
            self.limiter.succeeded(slot, response.prompt_tokens + response.completion_tokens)
            cost = cost_of(self.price, response.prompt_tokens, response.completion_tokens)
            usage.attempts += 1
            usage.prompt_tokens += response.prompt_tokens
            usage.completion_tokens += response.completion_tokens
            if cost is not None:
                usage.cost_usd = (usage.cost_usd or 0.0) + cost
            self.usage_tracker.record_request(
                self.provider.name,
                self.provider.model,
                response.prompt_tokens,
                response.completion_tokens,
                cost,
            )
            return response

    def _key(self, request: CompletionRequest, variant: str | int | None, use_cache: bool) -> str | None:
        if self.cache is None or not use_cache:
            return None
        return cache_key(self.provider.name, self.provider.model, self.base_url, request, variant)

    def _new_usage(self) -> Usage:
        usage = Usage(provider=self.provider.name, model=self.provider.model, attempts=0)
        if self.price is not None:
            usage.cost_usd = 0.0
        return usage

    def _finish(self, usage: Usage, started: float, *, failed: bool = False) -> None:
        usage.latency_s = time.perf_counter() - started
        self.usage_tracker.record_call(
            self.provider.name,
            self.provider.model,
            latency_s=usage.latency_s,
            retries=usage.retries,
            repairs=usage.repairs,
            cached=usage.cached,
            failed=failed,
        )

    def _from_cache(
        self, key: str | None, schema: type[BaseModel] | dict[str, Any] | None
    ) -> LLMResult[Any] | None:
        if key is None or self.cache is None:
            return None
        started = time.perf_counter()
        hit = self.cache.get(key)
        if hit is None:
            return None
        try:
            value = hit.text if schema is None else validate_answer(schema, hit.text)
        except ValueError:
            return None  # stored under an older schema version: ask again
        usage = Usage(
            provider=self.provider.name,
            model=self.provider.model,
            prompt_tokens=hit.prompt_tokens,
            completion_tokens=hit.completion_tokens,
            attempts=0,
            cached=True,
            cost_usd=0.0,
        )
        self._finish(usage, started)
        return LLMResult(value=value, usage=usage, raw=hit.text, extra={"cached": True})

    # -- public API -----------------------------------------------------------------------
    @overload
    async def structured(
        self,
        messages: list[Message],
        schema: type[M],
        *,
        temperature: float | None = ...,
        max_tokens: int | None = ...,
        name: str = ...,
        variant: str | int | None = ...,
        cache: bool = ...,
    ) -> LLMResult[M]: ...

    @overload
    async def structured(
        self,
        messages: list[Message],
        schema: dict[str, Any],
        *,
        temperature: float | None = ...,
        max_tokens: int | None = ...,
        name: str = ...,
        variant: str | int | None = ...,
        cache: bool = ...,
    ) -> LLMResult[dict[str, Any]]: ...

    async def structured(
        self,
        messages: list[Message],
        schema: type[BaseModel] | dict[str, Any],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
        name: str = "answer",
        variant: str | int | None = None,
        cache: bool = True,
    ) -> LLMResult[Any]:
        """A validated answer. `variant` tells apart identical calls that should get different
        answers from the cache (e.g. the sample index); `cache=False` bypasses the cache."""
        json_schema = schema_of(schema)
        request = self._request(messages, json_schema, temperature, max_tokens, name)
        key = self._key(request, variant, cache)
        cached = self._from_cache(key, schema)
        if cached is not None:
            return cached
        started = time.perf_counter()
        usage = self._new_usage()
        try:
            for attempt in range(self.config.repair_attempts + 1):
                response = await self._send(request, usage)
                raw = response.text
                try:
                    value = validate_answer(schema, raw)
                except ValueError as exc:
                    if attempt == self.config.repair_attempts:
                        raise ValidationFailed(
                            f"invalid structured output after {attempt + 1} tries: {exc}", raw
                        ) from None
                    usage.repairs += 1
                    hint = f"{exc}\nAnswer again with JSON that matches the schema exactly."
                    if response.finish_reason in TRUNCATED:
                        hint += " Your answer was cut off by the length limit: keep it shorter."
                    conversation = [
                        *messages,
                        {"role": "assistant", "content": raw},
                        {"role": "user", "content": hint},
                    ]
                    request = self._request(conversation, json_schema, temperature, max_tokens, name)
                    continue
                if key is not None and self.cache is not None:
                    self.cache.put(key, raw, usage.prompt_tokens, usage.completion_tokens)
                self._finish(usage, started)
                return LLMResult(
                    value=value,
                    usage=usage,
                    raw=raw,
                    extra={"finish_reason": response.finish_reason, "timings": response.timings},
                )
        except BaseException:
            self._finish(usage, started, failed=True)
            raise
        raise AssertionError("unreachable")

    async def text(
        self,
        messages: list[Message],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
        variant: str | int | None = None,
        cache: bool = True,
    ) -> LLMResult[str]:
        request = self._request(messages, None, temperature, max_tokens, "text")
        key = self._key(request, variant, cache)
        cached = self._from_cache(key, None)
        if cached is not None:
            return cached
        started = time.perf_counter()
        usage = self._new_usage()
        try:
            response = await self._send(request, usage)
        except BaseException:
            self._finish(usage, started, failed=True)
            raise
        if key is not None and self.cache is not None:
            self.cache.put(key, response.text, usage.prompt_tokens, usage.completion_tokens)
        self._finish(usage, started)
        return LLMResult(
            value=response.text,
            usage=usage,
            raw=response.text,
            extra={"finish_reason": response.finish_reason, "timings": response.timings},
        )

    async def warmup(self) -> None:
        """Load what the first call would (the local model); a no-op for HTTP providers."""
        warm = getattr(self.provider, "warmup", None)
        if warm is not None:
            await warm()

    async def aclose(self) -> None:
        await self.provider.aclose()
