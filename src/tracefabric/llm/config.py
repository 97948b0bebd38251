"""LLM settings, as written in YAML (`llm:` at the top level, `topics.llm`, `generation.llm`).

A section's block overrides the top-level default field by field (`LLMConfig.merged`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ProviderName = Literal["local", "openai", "ollama", "openrouter", "anthropic", "gemini", "scripted"]


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

    def merged(self, override: LLMConfig | None) -> LLMConfig:
        """This config with the fields `override` sets explicitly taking precedence."""
        if override is None:
            return self
        data = self.model_dump()
        data.update(override.model_dump(exclude_unset=True))
        return LLMConfig.model_validate(data)
