"""API keys come from the environment, never from config files. A missing key is a one-line
error naming the variable, raised when the `LLM` is built (before any work starts)."""

from __future__ import annotations

import os
from urllib.parse import urlparse

from tracefabric.errors import ConfigError
from tracefabric.llm.config import LLMConfig

KEY_VARIABLES: dict[str, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "openrouter": ("OPENROUTER_API_KEY",),
}
# Sent to servers that ignore keys (ollama, a local vLLM): the SDKs insist on a value.
NO_KEY = "not-needed"


def _is_openai_cloud(base_url: str | None) -> bool:
    return base_url is None or (urlparse(base_url).hostname or "").endswith("openai.com")


def resolve_api_key(config: LLMConfig) -> tuple[str, str | None]:
    """(key, name of the variable it came from). Servers without keys get a placeholder."""
    if config.api_key_env:
        names: tuple[str, ...] = (config.api_key_env,)
    else:
        names = KEY_VARIABLES.get(config.provider, ())
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return value, name
    required = bool(config.api_key_env) or (
        config.provider in KEY_VARIABLES
        and not (config.provider == "openai" and not _is_openai_cloud(config.base_url))
    )
    if required:
        wanted = " or ".join(names)
        raise ConfigError(
            f"llm.api_key_env: {wanted} is not set; provider {config.provider!r} needs an API key "
            f"(export {names[0]}=..., or name another variable with api_key_env)"
        )
    return NO_KEY, None
