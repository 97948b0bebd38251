"""`LLM`: one reliable call that returns a validated, typed answer.

    llm = LLM(LLMConfig(provider="scripted"), provider=ScriptedProvider([...]))
    result = await llm.structured(messages, Answer)        # Answer: a pydantic model
    result.value  # an Answer instance;  result.usage  # tokens, latency, provider, model

`schema` may also be a JSON schema dict: then `value` is the parsed, validated dict.
Invalid answers are repaired: the validation error goes back to the model, up to
`repair_attempts` times; the final failure raises `ValidationFailed` with the raw output.
"""

from __future__ import annotations

import json
import time
from typing import Any, TypeVar, overload

from pydantic import BaseModel, ValidationError

from .config import LLMConfig
from .providers.base import Provider
from .types import CompletionRequest, LLMResult, Message, Usage, ValidationFailed

M = TypeVar("M", bound=BaseModel)


def schema_of(schema: type[BaseModel] | dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema, dict):
        return schema
    return schema.model_json_schema()


def strip_fences(text: str) -> str:
    """Models sometimes wrap JSON in ``` fences even when asked not to."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        if stripped.rstrip().endswith("```"):
            stripped = stripped.rstrip()[:-3]
    return stripped.strip()


def _validate(schema: type[BaseModel] | dict[str, Any], text: str) -> Any:
    """Parse and validate; raises ValueError with a message written for the model."""
    cleaned = strip_fences(text)
    if isinstance(schema, dict):
        try:
            data = json.loads(cleaned)
        except ValueError as exc:
            raise ValueError(f"Your answer is not valid JSON: {exc}") from None
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import best_match

        error = best_match(Draft202012Validator(schema).iter_errors(data))
        if error is not None:
            where = ".".join(str(p) for p in error.absolute_path) or "(root)"
            raise ValueError(f"Your answer does not match the schema at {where}: {error.message}")
        return data
    try:
        return schema.model_validate_json(cleaned)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(root)"
        raise ValueError(f"Your answer does not match the schema at {where}: {first['msg']}") from None


class LLM:
    def __init__(self, config: LLMConfig, *, provider: Provider | None = None) -> None:
        self.config = config
        if provider is None:
            from .providers.registry import make_provider

            provider = make_provider(config)
        self.provider = provider

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

    @overload
    async def structured(
        self,
        messages: list[Message],
        schema: type[M],
        *,
        temperature: float | None = ...,
        max_tokens: int | None = ...,
        name: str = ...,
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
    ) -> LLMResult[dict[str, Any]]: ...

    async def structured(
        self,
        messages: list[Message],
        schema: type[BaseModel] | dict[str, Any],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
        name: str = "answer",
    ) -> LLMResult[Any]:
        json_schema = schema_of(schema)
        conversation = list(messages)
        usage = Usage(provider=self.provider.name, model=self.provider.model, attempts=0)
        started = time.perf_counter()
        raw = ""
        for attempt in range(self.config.repair_attempts + 1):
            request = self._request(conversation, json_schema, temperature, max_tokens, name)
            response = await self.provider.complete(request)
            usage.attempts += 1
            usage.prompt_tokens += response.prompt_tokens
            usage.completion_tokens += response.completion_tokens
            raw = response.text
            try:
                value = _validate(schema, raw)
            except ValueError as exc:
                if attempt == self.config.repair_attempts:
                    usage.latency_s = time.perf_counter() - started
                    raise ValidationFailed(f"invalid structured output after {attempt + 1} tries: {exc}", raw) from None
                conversation = [
                    *messages,
                    {"role": "assistant", "content": raw},
                    {"role": "user", "content": f"{exc}\nAnswer again with JSON that matches the schema exactly."},
                ]
                continue
            usage.latency_s = time.perf_counter() - started
            return LLMResult(value=value, usage=usage, raw=raw)
        raise AssertionError("unreachable")

    async def text(
        self,
        messages: list[Message],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> LLMResult[str]:
        started = time.perf_counter()
        response = await self.provider.complete(self._request(messages, None, temperature, max_tokens, "text"))
        usage = Usage(
            provider=self.provider.name,
            model=self.provider.model,
            prompt_tokens=response.prompt_tokens,
            completion_tokens=response.completion_tokens,
            latency_s=time.perf_counter() - started,
        )
        return LLMResult(value=response.text, usage=usage, raw=response.text)

    async def aclose(self) -> None:
        await self.provider.aclose()
