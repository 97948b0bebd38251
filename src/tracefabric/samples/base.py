"""What every sample kind provides to the run: build one record for a slot, plus its gates."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from tracefabric.config import RunConfig
from tracefabric.run.slots import Slot

from .gates import Gate


class SampleError(Exception):
    """A sample attempt that failed; `reason` is a short category for the summary."""

    def __init__(self, reason: str, message: str, raw: Any = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.raw = raw


@dataclass
class Estimate:
    """Planning figures for `tracefabric validate`."""

    llm_calls: float
    prompt_tokens: int
    completion_tokens: int
    notes: list[str] = field(default_factory=list)


class SampleBuilder(Protocol):
    kind: str
    gates: list[Gate]

    async def build(self, slot: Slot, attempt: int) -> dict[str, Any]: ...

    def estimate(self) -> Estimate: ...

    async def warmup(self) -> None:
        """Do what the first sample would do anyway (the LLM client, a local model's load)."""
        ...

    async def aclose(self) -> None: ...


def sample_id(seed: int, slot: Slot) -> str:
    return hashlib.sha256(f"{seed}:{slot.key}".encode()).hexdigest()[:16]


def system_message(config: RunConfig) -> list[dict[str, Any]]:
    if not config.output.include_system_message:
        return []
    content = config.output.system_prompt or config.generation.effective_system_prompt
    return [{"role": "system", "content": content}]


def base_metadata(config: RunConfig, slot: Slot, attempt: int, provider: str, model: str) -> dict[str, Any]:
    return {
        "sample_id": sample_id(config.output.seed, slot),
        "slot": slot.key,
        "topic_id": slot.topic.id,
        "topic_path": list(slot.topic.path),
        "kind": config.generation.kind,
        "provider": provider,
        "model": model,
        "seed": config.output.seed,
        "cycle": slot.cycle,
        "attempt": attempt,
        # Present in every kind (zero for basic/cot) so any mix of records loads as one table.
        "steps": 0,
        "tool_calls": 0,
        "errors_seen": [],
        "injected_faults": [],
        "invalid_arguments": 0,
    }


def variation_note(slot: Slot, attempt: int) -> str:
    """Distinct prompts per cycle and attempt: diversity, and no cache hit returning a rejected answer."""
    parts = []
    if slot.cycle:
        parts.append(
            f"This is sample {slot.cycle + 1} for this topic: choose a clearly different angle, "
            "situation or difficulty than an obvious first question."
        )
    if attempt:
        parts.append(f"(Attempt {attempt + 1}: the previous attempt was rejected; write a new one.)")
    return " ".join(parts)
