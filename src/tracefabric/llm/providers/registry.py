"""Build the provider a config names."""

from __future__ import annotations

from tracefabric.errors import ConfigError
from tracefabric.llm.config import LLMConfig

from .base import Provider


def make_provider(config: LLMConfig) -> Provider:
    if config.provider == "scripted":
        raise ConfigError("llm.provider: 'scripted' is for tests and demos; pass a ScriptedProvider explicitly")
    raise ConfigError(f"llm.provider: {config.provider!r} is not available yet")
