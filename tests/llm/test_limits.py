"""Rate limits and AIMD concurrency, on a virtual clock."""

from __future__ import annotations

import asyncio

from tracefabric.llm import LLM, FakeClock, LLMConfig, ProviderError, ScriptedProvider
from tracefabric.llm.limits import AdaptiveConcurrency, ProviderLimiter, TokenBucket, shared_limiter

from .helpers import run


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_token_bucket_refills_at_the_per_minute_rate() -> None:
    bucket = TokenBucket(60, now=0.0)  # 1 per second, 10 s of burst
    assert bucket.capacity == 10
    for _ in range(10):
        assert bucket.wait_time(1, 0.0) == 0
        bucket.take(1, 0.0)
    assert bucket.wait_time(1, 0.0) == 1.0
    assert bucket.wait_time(1, 0.5) == 0.5
    assert bucket.wait_time(1, 1.0) == 0
    bucket.adjust(-5)  # a request used more tokens than reserved: debt delays the next one
    assert bucket.wait_time(1, 1.0) == 5.0


def test_requests_per_minute_holds_back_the_excess() -> None:
    async def scenario() -> None:
        clock = FakeClock()
        limiter = ProviderLimiter("t", max_concurrency=100, requests_per_minute=60, clock=clock)
        granted: list[int] = []

        async def one(i: int) -> None:
            slot = await limiter.acquire()
            granted.append(i)
            limiter.succeeded(slot, 0)

        tasks = [asyncio.create_task(one(i)) for i in range(12)]
        await settle()
        assert len(granted) == 10  # the burst
        clock.advance(1.0)
        await settle()
        assert len(granted) == 11
        clock.advance(1.0)
        await settle()
        assert len(granted) == 12
        await asyncio.gather(*tasks)

    run(scenario())


def test_tokens_per_minute_uses_estimates_then_real_counts() -> None:
    async def scenario() -> None:
        clock = FakeClock()
        limiter = ProviderLimiter("t", max_concurrency=10, tokens_per_minute=600, clock=clock)  # 100 burst
        first = await limiter.acquire(80)
        limiter.succeeded(first, 20)  # used less than reserved: 60 tokens come back
        second = await limiter.acquire(80)  # 100 - 20 = 80 available
        limiter.succeeded(second, 80)
        third = asyncio.create_task(limiter.acquire(50))
        await settle()
        assert not third.done()  # 0 left, 10 per second
        clock.advance(5.0)
        await settle()
        assert third.done()

    run(scenario())


def test_aimd_halves_on_overload_and_grows_back() -> None:
    async def scenario() -> None:
        clock = FakeClock()
        aimd = AdaptiveConcurrency(8, clock)
        for _ in range(8):
            await aimd.acquire()
        waiting = asyncio.create_task(aimd.acquire())
        await settle()
        assert not waiting.done()

        clock.advance(1.0)
        assert aimd.on_overload(started_at=0.0)  # decrease at t=1
        assert aimd.allowed == 4
        # Answers to requests sent before the decrease carry no news: no second halving.
        assert not aimd.on_overload(started_at=0.5)
        assert aimd.allowed == 4
        clock.advance(1.0)
        assert aimd.on_overload(started_at=1.5)  # a request sent after it: halve again
        assert aimd.allowed == 2

        for _ in range(8):
            aimd.release()
        await settle()
        assert waiting.done() and aimd.in_flight == 1

        successes = 0
        while aimd.allowed < 8:
            aimd.on_success()
            successes += 1
        assert 10 < successes < 40  # additive: about one step per window of `limit` successes
        aimd.on_success()
        assert aimd.allowed == 8  # never above the ceiling

    run(scenario())


def test_waiters_are_served_in_order_and_cancellation_frees_the_slot() -> None:
    async def scenario() -> None:
        aimd = AdaptiveConcurrency(1, FakeClock())
        await aimd.acquire()
        order: list[str] = []

        async def take(name: str) -> None:
            await aimd.acquire()
            order.append(name)

        a = asyncio.create_task(take("a"))
        b = asyncio.create_task(take("b"))
        c = asyncio.create_task(take("c"))
        await settle()
        b.cancel()
        aimd.release()
        await settle()
        assert order == ["a"]
        aimd.release()
        await settle()
        assert order == ["a", "c"] and aimd.in_flight == 1
        await asyncio.gather(a, c, return_exceptions=True)

    run(scenario())


def test_retry_after_pauses_every_caller() -> None:
    async def scenario() -> None:
        clock = FakeClock()
        limiter = ProviderLimiter("t", max_concurrency=4, clock=clock)
        slot = await limiter.acquire()
        limiter.failed(slot, overloaded=True, retry_after=10)
        pending = asyncio.create_task(limiter.acquire())
        await settle()
        assert not pending.done()
        clock.advance(9.9)
        await settle()
        assert not pending.done()
        clock.advance(0.2)
        await settle()
        assert pending.done()
        assert limiter.concurrency.allowed == 2 and limiter.rate_limited == 1

    run(scenario())


def test_429s_shrink_concurrency_through_the_client() -> None:
    async def scenario() -> None:
        answers = [ProviderError("slow down", status=429, retryable=True)] * 3 + ["ok"]
        clock = FakeClock(auto_advance=True)
        llm = LLM(
            LLMConfig(provider="scripted", max_concurrency=16),
            provider=ScriptedProvider(answers),
            clock=clock,
        )
        result = await llm.text([{"role": "user", "content": "hi"}])
        assert result.value == "ok" and result.usage.retries == 3
        assert llm.limiter.concurrency.allowed < 16
        assert llm.limiter.rate_limited == 3

    run(scenario())


def test_the_process_shares_one_limiter_per_provider_and_model() -> None:
    first = shared_limiter("openai", "shared-test-model", max_concurrency=20)
    assert shared_limiter("openai", "shared-test-model") is first
    assert shared_limiter("openai", "other-test-model") is not first
    shared_limiter("openai", "shared-test-model", max_concurrency=8, requests_per_minute=100)
    assert first.concurrency.ceiling == 8  # the strictest explicit setting wins
    assert first.requests is not None and first.requests.per_minute == 100
    shared_limiter("openai", "shared-test-model", max_concurrency=50)
    assert first.concurrency.ceiling == 8
    defaulted = shared_limiter("anthropic", "shared-test-model")
    shared_limiter("anthropic", "shared-test-model", max_concurrency=64)
    assert defaulted.concurrency.ceiling == 64  # an explicit value replaces the default

    a = LLM(
        LLMConfig(provider="scripted", model="shared-x"), provider=ScriptedProvider(["1"], model="shared-x")
    )
    b = LLM(
        LLMConfig(provider="scripted", model="shared-x"), provider=ScriptedProvider(["2"], model="shared-x")
    )
    assert a.limiter is b.limiter
