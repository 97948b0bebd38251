"""Provider construction: keys from the environment, default endpoints, one-line config errors."""

from __future__ import annotations

import pytest

from tracefabric.errors import ConfigError
from tracefabric.llm import LLM, LLMConfig


@pytest.mark.parametrize(
    ("provider", "variable"),
    [
        ("openai", "OPENAI_API_KEY"),
        ("anthropic", "ANTHROPIC_API_KEY"),
        ("gemini", "GEMINI_API_KEY or GOOGLE_API_KEY"),
        ("openrouter", "OPENROUTER_API_KEY"),
    ],
)
def test_missing_key_is_one_line_naming_the_variable(provider: str, variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        LLM(LLMConfig(provider=provider), cache=False)  # type: ignore[arg-type]
    message = str(caught.value)
    assert variable in message and "\n" not in message
    assert message.startswith("llm.api_key_env:")


def test_api_key_env_names_another_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="TEAM_OPENAI_KEY"):
        LLM(LLMConfig(provider="openai", api_key_env="TEAM_OPENAI_KEY"), cache=False)
    monkeypatch.setenv("TEAM_OPENAI_KEY", "sk-team")
    llm = LLM(LLMConfig(provider="openai", api_key_env="TEAM_OPENAI_KEY"), cache=False)
    assert llm.provider.key_hint == "TEAM_OPENAI_KEY"  # type: ignore[attr-defined]


def test_gemini_accepts_google_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", "g-key")
    assert LLM(LLMConfig(provider="gemini"), cache=False).provider.model == "gemini-2.5-flash"


def test_ollama_needs_no_key_and_defaults_to_localhost() -> None:
    llm = LLM(LLMConfig(provider="ollama", model="llama3.2"), cache=False)
    assert llm.provider.name == "ollama"
    assert llm.base_url == "http://localhost:11434/v1"


def test_openrouter_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "or-key")
    llm = LLM(LLMConfig(provider="openrouter"), cache=False)
    assert llm.base_url == "https://openrouter.ai/api/v1"
    assert llm.provider.model == "openai/gpt-4o-mini"


def test_a_self_hosted_openai_compatible_server_needs_no_key() -> None:
    llm = LLM(LLMConfig(provider="openai", base_url="http://127.0.0.1:8000/v1", model="qwen"), cache=False)
    assert llm.provider.key_hint is None  # type: ignore[attr-defined]


def test_scripted_must_be_passed_explicitly() -> None:
    with pytest.raises(ConfigError, match="ScriptedProvider"):
        LLM(LLMConfig(provider="scripted"))


def test_section_overrides_merge_field_by_field() -> None:
    top = LLMConfig(provider="openai", model="gpt-4o-mini", temperature=0.2, max_concurrency=32)
    section = LLMConfig.model_validate({"temperature": 0.9})
    merged = top.merged(section)
    assert (merged.provider, merged.model, merged.temperature, merged.max_concurrency) == (
        "openai",
        "gpt-4o-mini",
        0.9,
        32,
    )


def test_unknown_fields_are_rejected_with_their_name() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="max_concurency"):
        LLMConfig.model_validate({"max_concurency": 3})
