"""Anthropic through its official SDK. Structured output is a forced tool call: the schema is
the tool's input schema and the tool input is the answer (works on every Claude model).

SDK 2.x speaks API version 2026-10-21, which rejects sampling parameters: `temperature` and
`seed` are not sent. The answer's variety comes from the model itself.
"""

from __future__ import annotations

import json
from typing import Any

from tracefabric.llm.schema import inline_refs, unwrap_text, wrap_root
from tracefabric.llm.types import CompletionRequest, CompletionResponse

from .errors import body_message, status_error, transport_error
from .messages import to_anthropic
from .sdk_client import SDKClient
from .structured import SchemaMemo, tool_name

TOOL_DESCRIPTION = "Give your answer by calling this tool; its input is the answer."
DEFAULT_ENDPOINT = "https://api.anthropic.com"


def _prepare(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    return wrap_root(inline_refs(schema))


class AnthropicProvider:
    name = "anthropic"

    def __init__(
        self,
        *,
        model: str,
        api_key: str,
        base_url: str | None = None,
        key_hint: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        from anthropic import AsyncAnthropic

        self.model = model
        self.base_url = base_url
        self.endpoint = (base_url or DEFAULT_ENDPOINT).rstrip("/")  # named in connection errors
        self.key_hint = key_hint
        self.client = SDKClient(
            "anthropic", AsyncAnthropic, api_key=api_key, base_url=base_url, timeout=timeout
        )
        self._schemas = SchemaMemo(_prepare)

    @property
    def who(self) -> str:
        return f"anthropic ({self.model})"

    async def warmup(self) -> None:
        """What a first request would do without the network: the client for this event loop,
        and the SDK's platform lookup (see sdk_platform.py)."""
        await self.client.ready()

    async def complete(self, request: CompletionRequest) -> CompletionResponse:
        import anthropic

        system, messages = to_anthropic(request.messages)
        kwargs: dict[str, Any] = {"model": self.model, "max_tokens": request.max_tokens, "messages": messages}
        if system:
            kwargs["system"] = system
        wrapped = False
        if request.json_schema is not None:
            schema, wrapped = self._schemas(request.json_schema)
            name = tool_name(request.schema_name)
            kwargs["tools"] = [{"name": name, "description": TOOL_DESCRIPTION, "input_schema": schema}]
            kwargs["tool_choice"] = {"type": "tool", "name": name}
        try:
            client = await self.client.ready()
            response = await client.messages.create(timeout=request.timeout, **kwargs)
        except anthropic.APITimeoutError as exc:
            raise transport_error(self.who, exc, timeout=request.timeout, endpoint=self.endpoint) from None
        except anthropic.APIConnectionError as exc:
            raise transport_error(self.who, exc.__cause__ or exc, endpoint=self.endpoint) from None
        except anthropic.APIStatusError as exc:
            raise status_error(
                self.who,
                exc.status_code,
                body_message(exc.body) or exc.message,
                headers=exc.response.headers,
                key_hint=self.key_hint,
            ) from None
        text = ""
        for block in response.content:
            if block.type == "tool_use":
                text = json.dumps(block.input)
                if wrapped:
                    text = unwrap_text(text)
                break
            if block.type == "text":
                text += block.text
        return CompletionResponse(
            text=text,
            prompt_tokens=response.usage.input_tokens,
            completion_tokens=response.usage.output_tokens,
            finish_reason=response.stop_reason,
        )

    async def aclose(self) -> None:
        await self.client.aclose()
