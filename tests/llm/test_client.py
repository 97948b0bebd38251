"""The `LLM` call itself, with the scripted provider (and the real SDK where it matters)."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel

from tracefabric.llm import (
    LLM,
    FakeClock,
    LLMConfig,
    ProviderError,
    ScriptedProvider,
    UsageTracker,
    ValidationFailed,
)
from tracefabric.llm.testing import Reply, StubServer

from .helpers import cloud_llm, run


class Step(BaseModel):
    action: str
    count: int


MESSAGES = [{"role": "user", "content": "go"}]


def test_repair_turn_carries_the_error_and_the_bad_answer() -> None:
    provider = ScriptedProvider(['{"action": "x"}', {"action": "x", "count": 2}])
    llm = LLM(LLMConfig(provider="scripted"), provider=provider)
    result = run(llm.structured(MESSAGES, Step))
    assert result.value == Step(action="x", count=2)
    repair = provider.requests[1].messages
    assert repair[:1] == MESSAGES
    assert repair[1] == {"role": "assistant", "content": '{"action": "x"}'}
    assert "count" in repair[2]["content"] and "Field required" in repair[2]["content"]


def test_truncated_answers_get_a_shorter_please() -> None:
    from tracefabric.llm import CompletionResponse

    answers = iter(
        [
            CompletionResponse('{"action": "aaaa', finish_reason="length"),
            CompletionResponse('{"action":"a","count":1}'),
        ]
    )

    class Truncating(ScriptedProvider):
        async def complete(self, request):  # type: ignore[no-untyped-def]
            self.requests.append(request)
            return next(answers)

    provider = Truncating([])
    run(LLM(LLMConfig(provider="scripted"), provider=provider).structured(MESSAGES, Step))
    assert "cut off by the length limit" in provider.requests[1].messages[-1]["content"]


def test_validation_failed_carries_raw_output() -> None:
    llm = LLM(
        LLMConfig(provider="scripted", repair_attempts=1), provider=ScriptedProvider(["nope", "still nope"])
    )
    with pytest.raises(ValidationFailed) as caught:
        run(llm.structured(MESSAGES, Step))
    assert caught.value.raw == "still nope"


def test_dict_schemas_return_dicts() -> None:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    llm = LLM(LLMConfig(provider="scripted"), provider=ScriptedProvider([{"ok": "yes"}, {"ok": True}]))
    result = run(llm.structured(MESSAGES, schema))
    assert result.value == {"ok": True} and result.usage.repairs == 1


def test_non_retryable_errors_are_not_retried() -> None:
    provider = ScriptedProvider([ProviderError("HTTP 403 permission denied", status=403), "unused"])
    llm = LLM(LLMConfig(provider="scripted"), provider=provider, clock=FakeClock(auto_advance=True))
    with pytest.raises(ProviderError, match="403"):
        run(llm.text(MESSAGES))
    assert len(provider.requests) == 1


def test_backoff_grows_exponentially_with_jitter() -> None:
    errors = [ProviderError("HTTP 502", status=502, retryable=True)] * 4
    clock = FakeClock(auto_advance=True)
    llm = LLM(
        LLMConfig(provider="scripted", max_retries=4), provider=ScriptedProvider([*errors, "ok"]), clock=clock
    )
    assert run(llm.text(MESSAGES)).usage.retries == 4
    waits = clock.sleeps
    assert len(waits) == 4
    for retry, wait in enumerate(waits):
        ceiling = 0.5 * 2**retry
        assert ceiling / 2 <= wait <= ceiling


def test_max_concurrency_bounds_requests_in_flight() -> None:
    async def scenario() -> int:
        in_flight = 0
        peak = 0

        class Slow(ScriptedProvider):
            async def complete(self, request):  # type: ignore[no-untyped-def]
                nonlocal in_flight, peak
                in_flight += 1
                peak = max(peak, in_flight)
                await asyncio.sleep(0.01)
                in_flight -= 1
                return await super().complete(request)

        llm = LLM(
            LLMConfig(provider="scripted", model="bounded", max_concurrency=3),
            provider=Slow(lambda r: "ok", model="bounded"),
            clock=FakeClock(),  # a private limiter for this test
        )
        await asyncio.gather(*(llm.text(MESSAGES, variant=i) for i in range(20)))
        return peak

    assert run(scenario()) == 3


def test_cancelled_calls_free_their_slot_and_count_as_failed() -> None:
    async def scenario() -> None:
        tracker = UsageTracker()
        llm = LLM(
            LLMConfig(provider="scripted", max_concurrency=1),
            provider=ScriptedProvider(["ok"], latency=10, repeat_last=True),
            clock=FakeClock(),
            usage=tracker,
        )
        task = asyncio.create_task(llm.text(MESSAGES))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert llm.limiter.concurrency.in_flight == 0
        assert tracker.snapshot()["totals"]["failures"] == 1

    run(scenario())


def test_one_llm_serves_several_event_loops(stub: StubServer) -> None:
    llm = cloud_llm(stub, "openai")
    stub.script(Reply(content={"action": "a", "count": 1}), Reply(content={"action": "b", "count": 2}))
    assert run(llm.structured(MESSAGES, Step)).value.action == "a"
    assert run(llm.structured(MESSAGES, Step)).value.action == "b"  # a second asyncio.run


def test_snapshot_is_json() -> None:
    tracker = UsageTracker(max_tokens_total=1000)
    llm = LLM(LLMConfig(provider="scripted"), provider=ScriptedProvider(["hi"]), usage=tracker)
    run(llm.text(MESSAGES))
    snapshot = json.loads(json.dumps(tracker.snapshot()))
    assert snapshot["totals"]["calls"] == 1
    assert snapshot["by_model"][0]["provider"] == "scripted"


def test_warmup_is_harmless_for_http_providers(stub: StubServer) -> None:
    run(cloud_llm(stub, "anthropic").warmup())
    assert stub.requests == []
