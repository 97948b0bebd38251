"""Gemini through `google-genai`: `response_json_schema` with the keywords Gemini accepts."""

from __future__ import annotations

import re
from typing import Any

from tracefabric.llm.schema import to_gemini
from tracefabric.llm.types import CompletionRequest, CompletionResponse, ProviderError

from .errors import parse_retry_after, status_error, transport_error
from .loop_bound import LoopBound
from .messages import to_gemini as gemini_messages
from .structured import SchemaMemo
from .transport import aiohttp_errors

DEFAULT_ENDPOINT = "https://generativelanguage.googleapis.com"


async def _close(client: Any) -> None:
    await client.aio.aclose()


def _retry_delay(details: Any) -> float | None:
    """Gemini puts the wait in a google.rpc.RetryInfo detail: {"retryDelay": "30s"}."""
    error = details.get("error", details) if isinstance(details, dict) else None
    for item in (error or {}).get("details", []) if isinstance(error, dict) else []:
        delay = item.get("retryDelay") if isinstance(item, dict) else None
        if isinstance(delay, str) and (match := re.fullmatch(r"([\d.]+)s", delay)):
            return float(match.group(1))
    return None


class GeminiProvider:
    name = "gemini"

    def __init__(
        self,
        *,
        model: str,
        api_key: str,
        base_url: str | None = None,
        key_hint: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        from google import genai
        from google.genai import types

        self.model = model
        self.base_url = base_url
        self.endpoint = (base_url or DEFAULT_ENDPOINT).rstrip("/")  # named in connection errors
        self.key_hint = key_hint
        self._types = types
        # No retry_options: the SDK then tries once, and our retry loop decides.
        options = types.HttpOptions(base_url=base_url, timeout=int(timeout * 1000))
        self.client = LoopBound(lambda: genai.Client(api_key=api_key, http_options=options), close=_close)
        self._schemas = SchemaMemo(to_gemini)

    @property
    def who(self) -> str:
        return f"gemini ({self.model})"

    async def complete(self, request: CompletionRequest) -> CompletionResponse:
        import httpx2
        from google.genai import errors

        system, contents = gemini_messages(request.messages)
        config: dict[str, Any] = {
            "temperature": request.temperature,
            "max_output_tokens": request.max_tokens,
            "http_options": self._types.HttpOptions(
                base_url=self.base_url, timeout=int(request.timeout * 1000)
            ),
        }
        if system:
            config["system_instruction"] = system
        if request.seed is not None:
            config["seed"] = request.seed
        if request.json_schema is not None:
            config["response_mime_type"] = "application/json"
            config["response_json_schema"] = self._schemas(request.json_schema)
        try:
            response = await self.client.get().aio.models.generate_content(
                model=self.model, contents=contents, config=self._types.GenerateContentConfig(**config)
            )
        except errors.APIError as exc:
            headers = getattr(getattr(exc, "response", None), "headers", None)
            retry_after = parse_retry_after(headers) or _retry_delay(exc.details)
            raise status_error(
                self.who, exc.code, exc.message or str(exc), key_hint=self.key_hint, retry_after=retry_after
            ) from None
        except (httpx2.TimeoutException, TimeoutError) as exc:
            raise transport_error(self.who, exc, timeout=request.timeout, endpoint=self.endpoint) from None
        except (httpx2.TransportError, OSError, *aiohttp_errors()) as exc:
            raise transport_error(self.who, exc, endpoint=self.endpoint) from None
        if not response.candidates:
            feedback = getattr(response, "prompt_feedback", None)
            raise ProviderError(f"{self.who}: no answer (prompt feedback: {feedback})", retryable=False)
        usage = response.usage_metadata
        completion = (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0) if usage else 0
        return CompletionResponse(
            text=response.text or "",
            prompt_tokens=(usage.prompt_token_count or 0) if usage else 0,
            completion_tokens=completion,
            finish_reason=str(response.candidates[0].finish_reason or "") or None,
        )

    async def aclose(self) -> None:
        await self.client.aclose()
