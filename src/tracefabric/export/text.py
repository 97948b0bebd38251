"""`text`: each record rendered with a real chat template (tool-call arguments as objects),
with the character spans of the assistant turns so a trainer can mask everything else.

    {"text": "<|im_start|>system\n...", "assistant_spans": [[412, 498], ...], "metadata": {...}}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracefabric.chat_template import TemplateError, load_chat_template, template_messages
from tracefabric.errors import ConfigError

from .options import ConversionError, ExportOptions


def converter(options: ExportOptions) -> Callable[[dict[str, Any]], dict[str, Any]]:
    if options.template is None:
        raise ConfigError(
            "--format text needs --template: a tokenizer_config.json, a .gguf file (e.g. the embedded "
            "model's) or a .jinja file"
        )
    template = load_chat_template(options.template)

    def convert(record: dict[str, Any]) -> dict[str, Any]:
        try:
            rendered = template.render_with_spans(
                template_messages(record["messages"]), record.get("tools") or None
            )
        except TemplateError as exc:
            raise ConversionError(str(exc)) from None
        out: dict[str, Any] = {
            "text": rendered.text,
            "assistant_spans": [list(s) for s in rendered.assistant_spans],
        }
        if "metadata" in record:
            out["metadata"] = record["metadata"]
        return out

    return convert
