"""Real chat templates: read from a `tokenizer_config.json` (or `chat_template.jinja`) or a GGUF
file's metadata, rendered with Jinja exactly as transformers renders them, with the character
spans of the assistant turns (what a trainer should learn; everything else is masked)."""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {
    "ChatTemplate": ".source",
    "load_chat_template": ".source",
    "TemplateError": ".source",
    "Rendered": ".render",
    "template_messages": ".render",
    "read_gguf_metadata": ".gguf",
}

__getattr__ = lazy_exports(__name__, _LAZY)
