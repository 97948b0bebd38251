"""`basic` and `cot` samples: a user question grounded in the topic path, and the answer
(with a free-text reasoning trace for `cot`), from one structured LLM call."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from tracefabric.config import RunConfig
from tracefabric.llm import LLM, BudgetExceeded, LLMError
from tracefabric.run.slots import Slot

from .base import Estimate, SampleError, base_metadata, system_message, variation_note
from .gates import RECORD_GATES, Gate


class BasicAnswer(BaseModel):
    question: str = Field(min_length=8, description="What the user asks, in their own words")
    answer: str = Field(min_length=1, description="The assistant's ideal, complete answer")


class CotAnswer(BaseModel):
    question: str = Field(min_length=8, description="What the user asks, in their own words")
    reasoning: str = Field(min_length=1, description="Step-by-step reasoning that leads to the answer")
    answer: str = Field(min_length=1, description="The assistant's final answer")


WRITER_SYSTEM = (
    "You write training data for an AI assistant. For the topic given, write one realistic "
    "request a real user would send, and the assistant's ideal reply. Be specific and "
    "concrete; stay within the topic's domain. Reply with JSON only."
)


class QABuilder:
    def __init__(self, config: RunConfig, llm: LLM) -> None:
        self.config = config
        self.llm = llm
        self.kind = config.generation.kind
        self.schema: type[BaseModel] = CotAnswer if self.kind == "cot" else BasicAnswer
        self.gates: list[Gate] = list(RECORD_GATES)

    def prompt(self, slot: Slot, attempt: int) -> list[dict[str, Any]]:
        generation = self.config.generation
        lines = [f"Topic: {' > '.join(slot.topic.path)}"]
        lines.append(f"The assistant's role: {generation.effective_system_prompt}")
        if generation.instructions:
            lines.append(f"Instructions: {generation.instructions}")
        if self.kind == "cot":
            lines.append(
                "Write the user's question, then the reasoning that works the problem out step by step, "
                "then the final answer."
            )
        else:
            lines.append("Write the user's question and the assistant's answer.")
        note = variation_note(slot, attempt)
        if note:
            lines.append(note)
        return [{"role": "system", "content": WRITER_SYSTEM}, {"role": "user", "content": "\n".join(lines)}]

    async def build(self, slot: Slot, attempt: int) -> dict[str, Any]:
        try:
            result = await self.llm.structured(
                self.prompt(slot, attempt), self.schema, name=f"{self.kind}_sample"
            )
        except BudgetExceeded:
            raise  # the run stops (resumable); not this sample's fault
        except LLMError as exc:
            raise SampleError(
                "llm_error", f"{type(exc).__name__}: {exc}", getattr(exc, "raw", None)
            ) from None
        answer: Any = result.value
        content = answer.answer
        if self.kind == "cot" and self.config.generation.reasoning_in_content:
            content = f"{answer.reasoning}\n\n{answer.answer}"
        reasoning = (
            [{"step": 1, "thought": answer.reasoning, "action": "final_answer"}] if self.kind == "cot" else []
        )
        # The same fields as agent records (samples/records.py): tools and reasoning always lists.
        return {
            "messages": [
                *system_message(self.config),
                {"role": "user", "content": answer.question},
                {"role": "assistant", "content": content},
            ],
            "tools": [],
            "reasoning": reasoning,
            "metadata": base_metadata(
                self.config, slot, attempt, self.llm.provider.name, self.llm.provider.model
            ),
            "trace": None,
        }

    def estimate(self) -> Estimate:
        prompt = (
            60
            + len(self.config.generation.instructions) // 4
            + len(self.config.generation.effective_system_prompt) // 4
        )
        return Estimate(
            llm_calls=1.0, prompt_tokens=prompt + 120, completion_tokens=350 if self.kind == "cot" else 250
        )

    async def warmup(self) -> None:
        await self.llm.warmup()

    async def aclose(self) -> None:
        return None
