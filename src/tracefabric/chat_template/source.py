"""Where a chat template comes from: a tokenizer's files, a GGUF file, or a Jinja file.

- `tokenizer_config.json`: `chat_template` (a string, or named templates as
  `[{"name": ..., "template": ...}]`), and the special tokens the template may use;
  a `chat_template.jinja` beside it (how recent transformers save it) is used when the
  config has none. A folder holding either works too.
- `*.gguf`: `tokenizer.chat_template` (and `tokenizer.chat_template.<name>`) from the header,
  the BOS/EOS token texts from the vocabulary. Our embedded model's file is one.
- `*.jinja`: the template alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracefabric.errors import ConfigError

SPECIAL_TOKENS = ("bos_token", "eos_token", "pad_token", "unk_token")


class TemplateError(ConfigError):
    """A template that cannot be loaded, or a record it cannot render."""


@dataclass
class ChatTemplate:
    source: str
    templates: dict[str, str]  # name → Jinja source; "default" always present
    special_tokens: dict[str, str] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return self.templates["default"]

    def for_tools(self, tools: list[dict[str, Any]] | None) -> str:
        """transformers' choice: the `tool_use` template when tools are given and it exists."""
        if tools and "tool_use" in self.templates:
            return self.templates["tool_use"]
        return self.template

    @classmethod
    def from_string(cls, template: str, *, source: str = "<string>", **special_tokens: str) -> ChatTemplate:
        return cls(source, {"default": template}, dict(special_tokens))

    # Rendering lives in render.py; these delegate so callers need one object.
    def render(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        *,
        add_generation_prompt: bool = False,
    ) -> str:
        from .render import render

        return render(self, messages, tools, add_generation_prompt=add_generation_prompt)

    def render_with_spans(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None
    ) -> Any:
        from .render import render_with_spans

        return render_with_spans(self, messages, tools)


def load_chat_template(path: str | Path) -> ChatTemplate:
    path = Path(path)
    if path.is_dir():
        for name in ("tokenizer_config.json", "chat_template.jinja"):
            if (path / name).is_file():
                return load_chat_template(path / name)
        raise TemplateError(f"{path}: no tokenizer_config.json or chat_template.jinja in this folder")
    if not path.is_file():
        raise TemplateError(f"{path}: no such file (a tokenizer_config.json, a .gguf or a .jinja file)")
    suffix = path.suffix.lower()
    if suffix == ".gguf":
        return _from_gguf(path)
    if suffix == ".json":
        return _from_tokenizer_config(path)
    return ChatTemplate(str(path), {"default": path.read_text(encoding="utf-8")})


def _token_text(value: Any) -> str | None:
    # tokenizer_config.json writes a token as a string or as an AddedToken dict.
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return value["content"]
    return None


def _from_tokenizer_config(path: Path) -> ChatTemplate:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise TemplateError(f"{path}: not JSON ({exc})") from None
    if not isinstance(config, dict):
        raise TemplateError(f"{path}: not a tokenizer config (expected an object)")
    raw = config.get("chat_template")
    templates: dict[str, str] = {}
    if isinstance(raw, str):
        templates["default"] = raw
    elif isinstance(raw, list):
        for entry in raw:
            if isinstance(entry, dict) and isinstance(entry.get("template"), str):
                templates[str(entry.get("name", "default"))] = entry["template"]
    if not templates and (path.parent / "chat_template.jinja").is_file():
        templates["default"] = (path.parent / "chat_template.jinja").read_text(encoding="utf-8")
    if "default" not in templates:
        if templates:  # only named ones: transformers falls back to the first
            templates["default"] = next(iter(templates.values()))
        else:
            raise TemplateError(f"{path}: has no chat_template (nor a chat_template.jinja beside it)")
    special = {name: text for name in SPECIAL_TOKENS if (text := _token_text(config.get(name))) is not None}
    return ChatTemplate(str(path), templates, special)


def _from_gguf(path: Path) -> ChatTemplate:
    from .gguf import GGUFError, read_gguf_metadata

    try:
        metadata = read_gguf_metadata(
            path, token_ids=("tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id")
        )
    except (GGUFError, OSError) as exc:
        raise TemplateError(f"{path}: {exc}") from None
    templates: dict[str, str] = {}
    prefix = "tokenizer.chat_template"
    for key, value in metadata.items():
        if key == prefix and isinstance(value, str):
            templates["default"] = value
        elif key.startswith(prefix + ".") and isinstance(value, str):
            templates[key[len(prefix) + 1 :]] = value
    if "default" not in templates:
        raise TemplateError(f"{path}: the GGUF file has no tokenizer.chat_template")
    special = {}
    for name in ("bos", "eos"):
        text = metadata.get(f"tokenizer.ggml.{name}_token")
        if isinstance(text, str):
            special[f"{name}_token"] = text
    return ChatTemplate(str(path), templates, special)
