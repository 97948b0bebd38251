"""Where a run keeps its files: everything sits next to the dataset, named after it.

For `out/dataset.jsonl`: `out/dataset.run.json` (provenance and summary),
`out/dataset.failures.jsonl`, `out/dataset.topics.jsonl` (or `.json` for graphs) unless
`topics.save_as` says otherwise, and `out/dataset.llm-cache.sqlite` (the response cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunPaths:
    dataset: Path

    def _sibling(self, suffix: str) -> Path:
        stem = self.dataset.name
        for ext in (".jsonl", ".json"):
            if stem.endswith(ext):
                stem = stem[: -len(ext)]
                break
        return self.dataset.with_name(stem + suffix)

    @property
    def run_json(self) -> Path:
        return self._sibling(".run.json")

    @property
    def failures(self) -> Path:
        return self._sibling(".failures.jsonl")

    @property
    def llm_cache(self) -> Path:
        return self._sibling(".llm-cache.sqlite")

    def topics(self, mode: str) -> Path:
        return self._sibling(".topics.json" if mode == "graph" else ".topics.jsonl")
