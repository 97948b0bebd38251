"""Data preparation for fine-tuning on an `hf` export (docs/training.md): chat examples for
trainers that apply templates themselves, and tokenized examples with assistant masks for
TRL's `SFTTrainer` (assistant-only loss with any chat template)."""

from __future__ import annotations

from tracefabric.lazy_exports import lazy_exports

_LAZY = {
    "chat_example": ".sft",
    "tokenize_example": ".sft",
    "prepare_sft_dataset": ".sft",
}

__getattr__ = lazy_exports(__name__, _LAZY)
