"""Build the provider a config names. Keys and installs are checked here, before any work."""

from __future__ import annotations

from tracefabric.errors import ConfigError
from tracefabric.llm.config import LLMConfig

from .base import Provider
from .keys import resolve_api_key


def make_provider(config: LLMConfig) -> Provider:
    kind = config.provider
    if kind == "scripted":
        raise ConfigError(
            "llm.provider: 'scripted' is for tests and demos; pass a ScriptedProvider explicitly"
        )
    if kind == "local":
        from .local import LocalProvider

        return LocalProvider(config)
    api_key, key_variable = resolve_api_key(config)
    common = {
        "model": config.resolved_model,
        "api_key": api_key,
        "base_url": config.resolved_base_url,
        "key_hint": key_variable,
        "timeout": config.timeout,
    }
    if kind in ("openai", "ollama", "openrouter"):
        from .openai import OpenAIProvider

        return OpenAIProvider(name=kind, **common)  # type: ignore[arg-type]
    if kind == "anthropic":
        from .anthropic import AnthropicProvider

        return AnthropicProvider(**common)  # type: ignore[arg-type]
    if kind == "gemini":
        from .gemini import GeminiProvider

        return GeminiProvider(**common)  # type: ignore[arg-type]
    raise ConfigError(f"llm.provider: unknown provider {kind!r}")
