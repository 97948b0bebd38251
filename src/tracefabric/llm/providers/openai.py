"""OpenAI and every OpenAI-compatible server (ollama, OpenRouter, vLLM, llama.cpp, LM Studio).

Structured output: native `json_schema` with the strict rewrite; when an endpoint rejects it,
`json_object` mode with the schema in the prompt; then the schema in the prompt alone. The
mode that works is remembered for the provider's lifetime. Unsupported parameters named in a
400 answer (`temperature` on reasoning models, `max_tokens` vs `max_completion_tokens`,
`seed`) are dropped or renamed once and remembered too.
"""

from __future__ import annotations

import json
from typing import Any

from tracefabric.llm.schema import StrictSchema, to_openai_strict, unwrap_text, wrap_root
from tracefabric.llm.types import CompletionRequest, CompletionResponse, ProviderError

from .errors import body_message, status_error, transport_error
from .sdk_client import SDKClient
from .structured import SchemaMemo, restore_optional, tool_name, with_schema_instruction

MODES = ("json_schema", "json_object", "prompt")
DEFAULT_ENDPOINT = "https://api.openai.com/v1"
MAX_ADAPTATIONS = 4


def _prepare(schema: dict[str, Any]) -> tuple[StrictSchema, bool]:
    wrapped, was_wrapped = wrap_root(schema)
    return to_openai_strict(wrapped), was_wrapped


class OpenAIProvider:
    def __init__(
        self,
        *,
        model: str,
        api_key: str,
        base_url: str | None = None,
        name: str = "openai",
        key_hint: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        from openai import AsyncOpenAI

        self.name = name
        self.model = model
        self.base_url = base_url
        self.endpoint = (base_url or DEFAULT_ENDPOINT).rstrip("/")  # named in connection errors
        self.key_hint = key_hint
        self.client = SDKClient("openai", AsyncOpenAI, api_key=api_key, base_url=base_url, timeout=timeout)
        self.mode = "json_schema"
        official = base_url is None or "api.openai.com" in base_url
        self._tokens_param = "max_completion_tokens" if official else "max_tokens"
        self._dropped: set[str] = set()
        self._schemas = SchemaMemo(_prepare)

    @property
    def who(self) -> str:
        return f"{self.name} ({self.model})"

    def _arguments(self, request: CompletionRequest) -> tuple[dict[str, Any], StrictSchema | None, bool]:
        messages = request.messages
        strict: StrictSchema | None = None
        wrapped = False
        kwargs: dict[str, Any] = {"model": self.model, self._tokens_param: request.max_tokens}
        if "temperature" not in self._dropped:
            kwargs["temperature"] = request.temperature
        if request.seed is not None and "seed" not in self._dropped:
            kwargs["seed"] = request.seed
        if request.json_schema is not None:
            if self.mode == "json_schema":
                strict, wrapped = self._schemas(request.json_schema)
                kwargs["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {
                        "name": tool_name(request.schema_name),
                        "schema": strict.schema,
                        "strict": strict.strict,
                    },
                }
            else:
                messages = with_schema_instruction(messages, request.json_schema)
                if self.mode == "json_object":
                    kwargs["response_format"] = {"type": "json_object"}
        kwargs["messages"] = messages
        return kwargs, strict, wrapped

    def _adapt(self, exc: Any) -> bool:
        """Learn from a 400 that names an unsupported feature; True = try again at once."""
        message = (body_message(exc.body) or str(exc)).lower()
        param = (getattr(exc, "param", None) or "").lower()
        mentions = f"{param} {message}"
        if ("response_format" in mentions or "json_schema" in mentions or "json_object" in mentions) and (
            self.mode != "prompt"
        ):
            self.mode = MODES[MODES.index(self.mode) + 1]
            return True
        for name in ("temperature", "seed"):
            if name in mentions and name not in self._dropped:
                self._dropped.add(name)
                return True
        if "max_tokens" in mentions and self._tokens_param == "max_tokens":
            self._tokens_param = "max_completion_tokens"
            return True
        if "max_completion_tokens" in mentions and self._tokens_param == "max_completion_tokens":
            self._tokens_param = "max_tokens"
            return True
        return False

    async def warmup(self) -> None:
        """What a first request would do without the network: the client for this event loop,
        and the SDK's platform lookup (see sdk_platform.py)."""
        await self.client.ready()

    async def complete(self, request: CompletionRequest) -> CompletionResponse:
        import httpx2
        import openai

        for _ in range(MAX_ADAPTATIONS + 1):
            kwargs, strict, wrapped = self._arguments(request)
            try:
                # `post` is the SDK's documented raw-endpoint call: the same HTTP stack, auth and
                # error mapping as `chat.completions.create`, minus two steps that cost CPU on
                # every call: the request-params transform (a no-op for our plain dicts, ~0.3 ms)
                # and building the typed response model (~0.1 ms; we read four fields).
                client = await self.client.ready()
                response = await client.post(
                    "/chat/completions",
                    body=kwargs,
                    cast_to=httpx2.Response,
                    options={"timeout": request.timeout},
                )
                data = json.loads(response.content)
            except ValueError:
                raise ProviderError(f"{self.who}: the answer is not JSON", retryable=True) from None
            except openai.APITimeoutError as exc:
                raise transport_error(
                    self.who, exc, timeout=request.timeout, endpoint=self.endpoint
                ) from None
            except openai.APIConnectionError as exc:
                raise transport_error(self.who, exc.__cause__ or exc, endpoint=self.endpoint) from None
            except openai.APIStatusError as exc:
                if exc.status_code in (400, 422) and self._adapt(exc):
                    continue
                raise status_error(
                    self.who,
                    exc.status_code,
                    body_message(exc.body) or exc.message,
                    headers=exc.response.headers,
                    key_hint=self.key_hint,
                ) from None
            return self._parse(data, strict, wrapped)
        raise ProviderError(f"{self.who}: the endpoint rejected every request variant", status=400)

    def _parse(self, data: Any, strict: StrictSchema | None, wrapped: bool) -> CompletionResponse:
        choices = data.get("choices") if isinstance(data, dict) else None
        if not choices or not isinstance(choices[0], dict):
            raise ProviderError(f"{self.who}: the answer has no choices", retryable=True)
        choice = choices[0]
        message = choice.get("message") or {}
        text = message.get("content") or message.get("refusal") or ""
        if strict is not None:
            if strict.nulls_added:
                text = restore_optional(text, strict.original)
            if wrapped:
                text = unwrap_text(text)
        usage = data.get("usage") or {}
        return CompletionResponse(
            text=text,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            finish_reason=choice.get("finish_reason"),
        )

    async def aclose(self) -> None:
        await self.client.aclose()
