"""`topics:` settings: how the root prompt grows into a tree or a graph of subtopics.

Field names follow DeepFabric's `topics:` section where they overlap (`prompt`, `mode`,
`depth`, `degree`, `system_prompt`, `save_as`, `llm`; `max_concurrent` and `prompt_style`
are accepted as aliases) so existing configs keep working.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from tracefabric.llm import LLMConfig

# Above this many planned topics a config is almost certainly a typo (degree 50, depth 10).
MAX_PLANNED_TOPICS = 10_000_000

DEFAULT_SAVE_AS = {"tree": "topic_tree.jsonl", "graph": "topic_graph.json"}

# DeepFabric's graph `prompt_style`: `default` cross-links; `isolated`/`anchored` do not
# (anchored also asks for domain-faithful topics, which every prompt here does).
_DEEPFABRIC_STYLES = {"default": "cross-linked", "isolated": "isolated", "anchored": "isolated"}


class DedupConfig(BaseModel):
    """Which proposed subtopics count as duplicates (and are dropped, then regenerated)."""

    model_config = ConfigDict(extra="forbid")

    # Token-set Jaccard similarity at or above which two topics are near-duplicates.
    # 1.0 keeps only exact (normalised) and same-word-set duplicates out.
    threshold: float = Field(default=0.8, gt=0.0, le=1.0)
    # structure: compare with every topic in the tree/graph; siblings: with the node's
    # siblings and ancestors only; off: only repeats among one node's children are removed
    # (near ones within one answer, exact ones across answers).
    scope: Literal["structure", "siblings", "off"] = "structure"


class TopicsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    prompt: str = Field(min_length=1)
    mode: Literal["tree", "graph"] = "tree"
    depth: int = Field(default=3, ge=1, le=10)
    degree: int = Field(default=10, ge=1, le=50)
    system_prompt: str = ""
    # Extra guidance appended to every expansion prompt (e.g. "Focus on tasks a developer
    # would ask an agent to do with files").
    instructions: str = ""
    save_as: str | None = None
    llm: LLMConfig | None = None
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    # LLM calls in flight for the topic stage (a global bound, not per level).
    max_concurrency: int = Field(
        default=4, ge=1, le=64, validation_alias=AliasChoices("max_concurrency", "max_concurrent")
    )
    # Extra calls per node after a failed or short answer (errors, invalid JSON, duplicates).
    max_retries: int = Field(default=3, ge=0, le=10)
    # Graph only. cross-linked: the model sees the graph so far and may attach existing
    # deeper topics under the node it expands; isolated: a graph without cross-links.
    style: Literal["cross-linked", "isolated"] = "cross-linked"
    prompt_style: Literal["default", "isolated", "anchored"] | None = Field(default=None, exclude=True)
    # Graph, cross-linked: at most this many cross-links added per expanded node.
    max_links: int = Field(default=3, ge=0, le=20)
    # Graph, cross-linked: characters of "graph so far" shown to the model (trimmed to fit).
    context_chars: int = Field(default=3000, ge=200, le=200_000)

    @model_validator(mode="before")
    @classmethod
    def _deepfabric_prompt_style(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("prompt_style") in _DEEPFABRIC_STYLES and "style" not in data:
            data = {**data, "style": _DEEPFABRIC_STYLES[data["prompt_style"]]}
        return data

    @model_validator(mode="after")
    def _size_is_sane(self) -> TopicsConfig:
        planned = self.degree**self.depth
        if planned > MAX_PLANNED_TOPICS:
            raise ValueError(
                f"degree {self.degree} and depth {self.depth} plan {planned:,} topics "
                f"(limit {MAX_PLANNED_TOPICS:,}); lower degree or depth"
            )
        return self

    @property
    def output_path(self) -> str:
        return self.save_as or DEFAULT_SAVE_AS[self.mode]

    @property
    def cross_linked(self) -> bool:
        return self.mode == "graph" and self.style == "cross-linked" and self.max_links > 0

    def fingerprint(self) -> dict[str, Any]:
        """The settings that shape the structure: a partial run resumes only if they match."""
        return {
            "prompt": self.prompt,
            "mode": self.mode,
            "depth": self.depth,
            "degree": self.degree,
            "style": self.style if self.mode == "graph" else None,
        }
