"""LLM settings, as written in YAML (`llm:` at the top level, `topics.llm`, `generation.llm`).

A section's block overrides the top-level default field by field (`LLMConfig.merged`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ProviderName = Literal["local", "openai", "ollama", "openrouter", "anthropic", "gemini", "scripted"]

# The model used when a config names none.
DEFAULT_MODELS: dict[str, str] = {
    "local": "qwen2.5-coder-1.5b",
    "openai": "gpt-4o-mini",
    "openrouter": "openai/gpt-4o-mini",
    "anthropic": "claude-haiku-4-5",
    "gemini": "gemini-2.5-flash",
    "ollama": "qwen2.5-coder:1.5b",
    "scripted": "scripted",
}
DEFAULT_BASE_URLS: dict[str, str] = {
    "ollama": "http://localhost:11434/v1",
    "openrouter": "https://openrouter.ai/api/v1",
}


class LLMConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: ProviderName = "local"
    # local: "qwen2.5-coder-1.5b" (default), "qwen2.5-coder-0.5b" or a path to a .gguf file.
    model: str | None = None
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(default=1024, gt=0)
    base_url: str | None = None
    api_key_env: str | None = None
    timeout: float = Field(default=120.0, gt=0)
    max_concurrency: int | None = Field(default=None, gt=0)
    requests_per_minute: float | None = Field(default=None, gt=0)
    tokens_per_minute: float | None = Field(default=None, gt=0)
    max_retries: int = Field(default=5, ge=0)
    repair_attempts: int = Field(default=2, ge=0)
    seed: int | None = None
    # Response cache (SQLite, in the run folder or the user cache): off = always ask the model.
    cache: bool = True
    # Prices in US dollars per million tokens, for models the built-in table does not know.
    price_prompt_per_mtok: float | None = Field(default=None, ge=0)
    price_completion_per_mtok: float | None = Field(default=None, ge=0)
    # local only: context window in tokens (>= 8192 recommended) and CPU threads (default: all cores, max 8).
    context_size: int = Field(default=8192, ge=512)
    threads: int | None = Field(default=None, gt=0)

    @property
    def resolved_model(self) -> str:
        return self.model or DEFAULT_MODELS[self.provider]

    @property
    def resolved_base_url(self) -> str | None:
        return self.base_url or DEFAULT_BASE_URLS.get(self.provider)

    def merged(self, override: LLMConfig | None) -> LLMConfig:
        """This config with the fields `override` sets explicitly taking precedence."""
        if override is None:
            return self
        data = self.model_dump()
        data.update(override.model_dump(exclude_unset=True))
        return LLMConfig.model_validate(data)
