"""Data preparation for SFT: rows of an hf export tokenized with assistant masks."""

from __future__ import annotations

from pathlib import Path

from tests.export.templates import embedded_model_gguf
from tracefabric.chat_template import load_chat_template
from tracefabric.export import export
from tracefabric.training import chat_example, prepare_sft_dataset


def tiny_tokenizer(tmp_path: Path):
    """A word-level tokenizer with Qwen's control tokens as special tokens (no download)."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.add_special_tokens(["<|im_start|>", "<|im_end|>"])
    return tokenizer


def test_masks_cover_the_assistant_turns_only(mixed: Path, tmp_path: Path) -> None:
    import datasets

    export(mixed, format="hf", out=tmp_path / "hf")
    template = load_chat_template(embedded_model_gguf())
    tokenizer = tiny_tokenizer(tmp_path)
    prepared = prepare_sft_dataset(tmp_path / "hf", template, tokenizer, cache_dir=str(tmp_path / "hf-cache"))
    assert prepared.column_names == ["input_ids", "assistant_masks", "text"]
    assert prepared.num_rows == 14
    raw = datasets.load_dataset(str(tmp_path / "hf"), split="train", cache_dir=str(tmp_path / "hf-cache"))
    agent = next(i for i in range(14) if raw[i]["metadata"]["kind"] == "agent")
    row = prepared[agent]
    encoding = tokenizer.encode(row["text"], add_special_tokens=False)
    assert encoding.ids == row["input_ids"] and len(row["assistant_masks"]) == len(row["input_ids"])
    pieces = [row["text"][a:b] for a, b in encoding.offsets]
    learned = [p for p, m in zip(pieces, row["assistant_masks"], strict=True) if m]
    ignored = [p for p, m in zip(pieces, row["assistant_masks"], strict=True) if not m]
    assert learned.count("<|im_end|>") == 4  # each assistant turn's end is learned...
    assert "tool_response" not in learned and "tool_call" in learned  # ...tool results and prompts are not
    assert "tool_response" in ignored and "system" in ignored and learned[-1] == "<|im_end|>"
    assert "".join(learned).endswith('Debugmodeison:config.jsonhas"debug":true.<|im_end|>')
    example = chat_example(raw[agent])
    assert example["messages"][2]["tool_calls"][0]["function"]["arguments"] == {}
    assert example["tools"][0]["function"]["name"] == "read_file"
