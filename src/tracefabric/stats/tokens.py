"""Tokens per record: through a chat template and a tokenizer when given, else estimated.

- a template and a tokenizer: the rendered conversation (tools included), tokenized;
- a tokenizer alone: the messages' text and the tool definitions, tokenized;
- a template alone: the rendered text's characters / 4;
- neither: the messages' and tools' characters / 4 (labelled an estimate everywhere).
The tokenizer is a `tokenizer.json` read with the `tokenizers` library (no model download).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Protocol

import orjson

from tracefabric.chat_template import ChatTemplate, load_chat_template, template_messages

CHARS_PER_TOKEN = 4


class TokenCounter(Protocol):
    method: str

    def count(self, record: dict[str, Any]) -> int: ...


def plain_text(record: dict[str, Any]) -> str:
    """What a model reads of a record, without a template: contents, calls and tool definitions."""
    parts: list[str] = []
    for message in record.get("messages") or []:
        parts.append(str(message.get("content") or ""))
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            parts.append(str(function.get("name", "")))
            parts.append(str(function.get("arguments", "")))
    tools = record.get("tools")
    if tools:
        parts.append(orjson.dumps(tools).decode())
    return "\n".join(parts)


def estimate_tokens(characters: int) -> int:
    return math.ceil(characters / CHARS_PER_TOKEN)


class CharacterEstimate:
    """Characters of the contents, tool-call names and arguments and the tools' JSON, / 4
    (the statistics count the same characters in their own pass over the messages)."""

    method = f"estimated as characters / {CHARS_PER_TOKEN}"

    def count(self, record: dict[str, Any]) -> int:
        chars = 0
        for message in record.get("messages") or []:
            chars += len(message.get("content") or "")
            for call in message.get("tool_calls") or []:
                function = call.get("function") or {}
                chars += len(str(function.get("name"))) + len(str(function.get("arguments") or ""))
        if record.get("tools"):
            chars += len(orjson.dumps(record["tools"]))
        return estimate_tokens(chars)


class TokenizerTokens:
    def __init__(self, tokenizer: Any, name: str) -> None:
        self.tokenizer = tokenizer
        self.method = f"tokenizer {name}"

    def count(self, record: dict[str, Any]) -> int:
        return len(self.tokenizer.encode(plain_text(record), add_special_tokens=False).ids)


class TemplateTokens:
    def __init__(self, template: ChatTemplate, tokenizer: Any = None, tokenizer_name: str = "") -> None:
        self.template = template
        self.tokenizer = tokenizer
        name = Path(template.source).name
        self.method = (
            f"template {name} + tokenizer {tokenizer_name}"
            if tokenizer is not None
            else f"template {name}, estimated as characters / {CHARS_PER_TOKEN}"
        )

    def count(self, record: dict[str, Any]) -> int:
        text = self.template.render(template_messages(record["messages"]), record.get("tools") or None)
        if self.tokenizer is None:
            return math.ceil(len(text) / CHARS_PER_TOKEN)
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)


def load_tokenizer(path: str | Path) -> Any:
    from tracefabric.chat_template import TemplateError
    from tracefabric.optional import require

    tokenizers = require("tokenizers", "templates", "counting tokens with a tokenizer.json")
    path = Path(path)
    if path.is_dir():
        path = path / "tokenizer.json"
    try:
        return tokenizers.Tokenizer.from_file(str(path))
    except Exception as exc:  # the library raises its own Exception types
        raise TemplateError(f"{path}: not a tokenizer.json ({exc})") from None


def token_counter(
    template: str | Path | ChatTemplate | None = None, tokenizer: str | Path | Any = None
) -> TokenCounter:
    loaded_template = (
        template if isinstance(template, ChatTemplate) or template is None else load_chat_template(template)
    )
    loaded_tokenizer, name = None, ""
    if tokenizer is not None:
        if isinstance(tokenizer, str | Path):
            name = Path(tokenizer).name
            loaded_tokenizer = load_tokenizer(tokenizer)
        else:
            loaded_tokenizer, name = tokenizer, type(tokenizer).__name__
    if loaded_template is not None:
        return TemplateTokens(loaded_template, loaded_tokenizer, name)
    if loaded_tokenizer is not None:
        return TokenizerTokens(loaded_tokenizer, name)
    return CharacterEstimate()
