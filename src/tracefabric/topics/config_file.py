"""Read the `llm:` and `topics:` sections of a run config (YAML), with the run's own loader
(so a config that `topics generate` accepts, `generate` accepts too)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ValidationError

from tracefabric.llm import LLMConfig

from .config import TopicsConfig


def describe_validation_error(exc: ValidationError, section: str, model: type[BaseModel]) -> str:
    """`topics.dedup.treshold: unknown key (did you mean 'threshold'?)` for the first error."""
    from tracefabric.config.loader import explain

    lines = explain(exc, model)
    more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
    return f"{section}.{lines[0]}{more}"


def load_config_file(path: str | Path) -> tuple[LLMConfig, TopicsConfig]:
    """The run config's default `llm` and its `topics` section (the whole file is checked)."""
    from tracefabric.config import load_config

    config = load_config(path).config
    return config.llm, config.topics
