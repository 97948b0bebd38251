"""The export formats, by name. A line format turns each record into one JSON line; a folder
format writes a whole folder (the `hf` export: Parquet shards and a dataset card)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    module: str  # line formats: a `converter(options)`; folder formats: a `write_folder(...)`
    folder: bool = False

    def load(self, attribute: str) -> Callable[..., Any]:
        return getattr(import_module(f"tracefabric.export.{self.module}"), attribute)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("openai", "OpenAI chat JSONL: messages, tools, reasoning, metadata, trace", "openai"),
        Format(
            "hf", "a Hugging Face dataset folder: Parquet shards per split and a README.md card", "hf", True
        ),
        Format(
            "sharegpt",
            "ShareGPT conversations with function_call/observation turns (LLaMA-Factory)",
            "sharegpt",
        ),
        Format("text", "text rendered with a real chat template, with assistant spans", "text"),
    )
}
