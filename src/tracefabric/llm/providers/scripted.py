"""A scripted provider for tests and demos: answers from a list or a function.

Not a fallback for real runs. Each answer is a string, a JSON-able value (dumped to JSON),
an exception instance (raised, e.g. `ProviderError(..., retryable=True)` to inject a
failure), or a callable `f(request) -> answer`. Optional fixed `latency` in seconds.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from tracefabric.llm.types import CompletionRequest, CompletionResponse

Answer = Any


class ScriptedProvider:
    name = "scripted"

    def __init__(
        self,
        answers: Iterable[Answer] | Callable[[CompletionRequest], Answer],
        *,
        model: str = "scripted",
        latency: float = 0.0,
        repeat_last: bool = False,
    ) -> None:
        self.model = model
        self.latency = latency
        self.repeat_last = repeat_last
        self._function = answers if callable(answers) else None
        self._answers = [] if callable(answers) else list(answers)
        self._index = 0
        self._lock = threading.Lock()
        self.requests: list[CompletionRequest] = []

    def _next(self, request: CompletionRequest) -> Answer:
        if self._function is not None:
            return self._function(request)
        with self._lock:
            if self._index >= len(self._answers):
                if self.repeat_last and self._answers:
                    return self._answers[-1]
                raise RuntimeError(f"scripted provider ran out of answers after {self._index} calls")
            answer = self._answers[self._index]
            self._index += 1
            return answer

    async def complete(self, request: CompletionRequest) -> CompletionResponse:
        self.requests.append(request)
        if self.latency:
            await asyncio.sleep(self.latency)
        answer = self._next(request)
        if callable(answer) and not isinstance(answer, type):
            answer = answer(request)
        if isinstance(answer, BaseException):
            raise answer
        text = answer if isinstance(answer, str) else json.dumps(answer)
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in request.messages) // 4
        return CompletionResponse(text=text, prompt_tokens=prompt_tokens, completion_tokens=len(text) // 4)

    async def aclose(self) -> None:
        return None
