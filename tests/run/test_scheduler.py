"""How the scheduler starts samples: the first wave leaves one sample per turn of the event
loop, so requests go out as each is built instead of together (see Scheduler._ramp_up)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.scripted import qa_responder, read_jsonl
from tracefabric import generate
from tracefabric.llm import CompletionRequest, CompletionResponse, ScriptedProvider


class TurnCounter:
    """Counts turns of the running event loop (a callback that re-queues itself each turn)."""

    def __init__(self) -> None:
        self.turn = 0
        self.loop: asyncio.AbstractEventLoop | None = None

    def now(self) -> int:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            self.loop = loop
            loop.call_soon(self._tick)
        return self.turn

    def _tick(self) -> None:
        self.turn += 1
        assert self.loop is not None
        self.loop.call_soon(self._tick)


class TurnRecordingProvider(ScriptedProvider):
    def __init__(self, counter: TurnCounter) -> None:
        super().__init__(qa_responder(), latency=0.05)
        self.counter = counter
        self.turns: list[int] = []

    async def complete(self, request: CompletionRequest) -> CompletionResponse:
        self.turns.append(self.counter.now())
        return await super().complete(request)


def test_first_wave_starts_one_sample_per_loop_turn(tmp_path: Path) -> None:
    counter = TurnCounter()
    providers: list[TurnRecordingProvider] = []

    def factory(config: Any) -> TurnRecordingProvider:
        providers.append(TurnRecordingProvider(counter))
        return providers[-1]

    cfg = {
        "llm": {"provider": "scripted"},
        "topics": {"prompt": "Python files", "depth": 1, "degree": 4},
        "generation": {"kind": "basic"},
        "output": {"path": str(tmp_path / "out" / "data.jsonl"), "concurrency": 8, "num_samples": 16},
    }
    summary = generate(cfg, provider_factory=factory)
    assert len(read_jsonl(summary.dataset)) == 16
    sampling = [turns for p in providers for turns in [p.turns] if len(turns) == 16]
    assert sampling, "the sample provider saw every request"
    first_wave = sampling[0][:8]
    assert len(set(first_wave)) == 8, f"first requests started in turns {first_wave}"
