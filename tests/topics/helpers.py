"""A scripted topic model: reads the expansion prompt and answers like a (controllable) LLM."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracefabric.llm import LLM, CompletionRequest, LLMConfig, ScriptedProvider

COUNT = re.compile(r"List (\d+) (?:main )?subtopics")
NODE = re.compile(r'Now answer for "(.*)" with JSON only\.')
CANDIDATES = re.compile(r'These existing topics might also belong under ".*?": (.*)\.\n')

# Distinct one-word names: no two share a token, so only deliberate duplicates are duplicates.
WORDS = [
    f"{a}{b}"
    for a, b in itertools.product(
        ["al", "bo", "ci", "du", "ek", "fa", "gu", "hi", "jo", "ka", "lu", "mi", "no", "pa", "qu", "ri"],
        ["ra", "te", "vo", "xi", "za", "ne", "mo", "lu", "ps", "dr", "fl", "gr", "kn", "sk", "tw", "zu"],
    )
]


@dataclass
class Ask:
    node: str
    count: int
    prompt: str
    temperature: float


@dataclass
class TopicModel:
    """Answers `{"subtopics": [...]}` for the node the prompt names.

    `answer(node, count, ask)` may be replaced to inject duplicates, failures or links;
    the default makes `count` fresh names. Every request is recorded in `asks`.
    """

    answer: Callable[[str, int, Ask], Any] | None = None
    asks: list[Ask] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    latency: float = 0.0

    def __post_init__(self) -> None:
        self._names = iter(itertools.count())
        self._lock = threading.Lock()

    def fresh(self, count: int) -> list[str]:
        with self._lock:
            numbers = [next(self._names) for _ in range(count)]
        return [f"Subject {WORDS[n % len(WORDS)]}{n // len(WORDS) or ''}" for n in numbers]

    def __call__(self, request: CompletionRequest) -> Any:
        prompt = request.messages[-1]["content"]
        count = int(COUNT.search(prompt).group(1))  # type: ignore[union-attr]
        node = NODE.search(prompt).group(1)  # type: ignore[union-attr]
        ask = Ask(node=node, count=count, prompt=prompt, temperature=request.temperature)
        self.asks.append(ask)
        if self.answer is not None:
            return self.answer(node, count, ask)
        return {"subtopics": self.fresh(count)}

    def provider(self) -> ScriptedProvider:
        model = self

        class Tracking(ScriptedProvider):
            async def complete(self, request: CompletionRequest) -> Any:
                model.in_flight += 1
                model.max_in_flight = max(model.max_in_flight, model.in_flight)
                try:
                    if model.latency:
                        await asyncio.sleep(model.latency)
                    return await super().complete(request)
                finally:
                    model.in_flight -= 1

        return Tracking(self)

    def llm(self, **config: Any) -> LLM:
        settings = {"provider": "scripted", "max_retries": 0, "repair_attempts": 0, **config}
        return LLM(LLMConfig(**settings), provider=self.provider())

    def nodes_asked(self) -> list[str]:
        return [ask.node for ask in self.asks]


def candidates_in(prompt: str) -> list[str]:
    match = CANDIDATES.search(prompt)
    return [] if match is None else [c.strip() for c in match.group(1).split("; ")]


def dumps(value: Any) -> str:
    return json.dumps(value)
