"""The generation run: config → topics → samples on disk, exactly, resumable, with progress."""

from .engine import RunSummary, generate, generate_async

__all__ = ["RunSummary", "generate", "generate_async"]
