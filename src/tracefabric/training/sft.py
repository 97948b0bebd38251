"""From an `hf` export to what `trl.SFTTrainer` trains on.

`prepare_sft_dataset` renders each row with the chat template, tokenizes it and marks the
tokens of the assistant turns: rows of `input_ids` and `assistant_masks`. SFTTrainer takes an
already tokenized dataset as it is (it recognises `input_ids`), and its collator sets the
labels of tokens whose `assistant_masks` is 0 to -100, so only the assistant turns (tool calls
and answers) are learned — with any template, even one without `{% generation %}` blocks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tracefabric.chat_template import ChatTemplate, load_chat_template, template_messages
from tracefabric.export.arrow import record_from_row


def chat_example(row: dict[str, Any]) -> dict[str, Any]:
    """An `hf` export row (or a record) as chat templates want it: `messages` with tool-call
    arguments as objects, and `tools` as a list."""
    record = record_from_row(row) if isinstance(row.get("tools"), str) or "tools" not in row else row
    return {"messages": template_messages(record["messages"]), "tools": record.get("tools") or []}


def _backend(tokenizer: Any) -> Any:
    # A transformers fast tokenizer wraps a `tokenizers.Tokenizer`; use that (offsets, no specials).
    return getattr(tokenizer, "backend_tokenizer", tokenizer)


def tokenize_example(
    row: dict[str, Any], template: ChatTemplate, tokenizer: Any, *, max_length: int | None = None
) -> dict[str, Any]:
    """{"input_ids", "assistant_masks", "text"}: mask 1 on every token that starts inside an
    assistant span of the rendered text."""
    example = chat_example(row)
    rendered = template.render_with_spans(example["messages"], example["tools"] or None)
    encoding = _backend(tokenizer).encode(rendered.text, add_special_tokens=False)
    spans = rendered.assistant_spans
    masks = []
    index = 0
    for start, end in encoding.offsets:
        while index < len(spans) and spans[index][1] <= start:
            index += 1
        inside = index < len(spans) and spans[index][0] <= start < spans[index][1] and end > start
        masks.append(1 if inside else 0)
    ids = list(encoding.ids)
    if max_length is not None:
        ids, masks = ids[:max_length], masks[:max_length]
    return {"input_ids": ids, "assistant_masks": masks, "text": rendered.text}


def prepare_sft_dataset(
    data: str | Path | Any,
    template: str | Path | ChatTemplate,
    tokenizer: Any,
    *,
    split: str = "train",
    max_length: int | None = None,
    **load_options: Any,
) -> Any:
    """A `datasets.Dataset` of `input_ids` + `assistant_masks` from an `hf` export folder (or
    Hub id, or an already loaded Dataset); `load_options` go to `datasets.load_dataset`."""
    from tracefabric.optional import require

    datasets = require("datasets", "hub", "preparing an hf export for training")
    loaded = template if isinstance(template, ChatTemplate) else load_chat_template(template)
    dataset = data
    if isinstance(data, str | Path):
        dataset = datasets.load_dataset(str(data), split=split, **load_options)
    columns = dataset.column_names
    return dataset.map(
        lambda row: tokenize_example(row, loaded, tokenizer, max_length=max_length),
        remove_columns=columns,
        desc="tokenizing with assistant masks",
    )
