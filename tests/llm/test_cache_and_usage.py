"""Response cache (real SQLite), run-level usage accounting and budgets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pydantic import BaseModel

from tracefabric.llm import (
    LLM,
    BudgetExceeded,
    LLMConfig,
    LLMResult,
    ProviderError,
    ResponseCache,
    ScriptedProvider,
    UsageTracker,
)
from tracefabric.llm.pricing import price_of
from tracefabric.llm.testing import Reply, StubServer

from .helpers import base_url, run


class Fact(BaseModel):
    text: str


MESSAGES = [{"role": "user", "content": "Tell me a fact."}]


def scripted(answers: list[object], **kwargs: object) -> LLM:
    config = LLMConfig(provider="scripted", model="cache-test")
    return LLM(config, provider=ScriptedProvider(answers, model="cache-test"), **kwargs)  # type: ignore[arg-type]


def test_second_identical_call_is_a_cache_hit(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "llm-cache.sqlite")
    tracker = UsageTracker()
    llm = scripted([{"text": "one"}, {"text": "two"}], cache=cache, usage=tracker)
    first = run(llm.structured(MESSAGES, Fact))
    second = run(llm.structured(MESSAGES, Fact))
    assert first.value == second.value == Fact(text="one")
    assert not first.usage.cached and second.usage.cached
    assert second.usage.cost_usd == 0.0 and second.usage.attempts == 0
    assert len(llm.provider.requests) == 1  # type: ignore[attr-defined]
    totals = tracker.snapshot()["totals"]
    assert totals["calls"] == 2 and totals["requests"] == 1 and totals["cache_hits"] == 1


def test_the_cache_survives_the_process_and_keys_cover_parameters(tmp_path: Path) -> None:
    path = tmp_path / "run" / "llm-cache.sqlite"
    run(scripted([{"text": "one"}], cache=path).structured(MESSAGES, Fact))
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 1

    again = scripted([{"text": "fresh"}] * 5, cache=ResponseCache(path))  # a new "process"
    assert run(again.structured(MESSAGES, Fact)).value.text == "one"
    assert run(again.structured(MESSAGES, Fact, temperature=0.1)).value.text == "fresh"
    assert run(again.structured(MESSAGES, Fact, variant=2)).value.text == "fresh"
    assert run(again.structured([{"role": "user", "content": "Other"}], Fact)).value.text == "fresh"
    assert run(again.structured(MESSAGES, Fact, cache=False)).value.text == "fresh"
    assert len(again.provider.requests) == 4  # type: ignore[attr-defined]


def test_only_validated_answers_are_cached(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    llm = scripted(["not json", {"text": "fixed"}], cache=cache)
    assert run(llm.structured(MESSAGES, Fact)).usage.repairs == 1
    assert len(cache) == 1
    hit = run(llm.structured(MESSAGES, Fact))
    assert hit.usage.cached and hit.value.text == "fixed"  # the repaired answer, no repair round


def test_cache_off(tmp_path: Path) -> None:
    llm = LLM(
        LLMConfig(provider="scripted", cache=False),
        provider=ScriptedProvider([{"text": "a"}, {"text": "b"}]),
    )
    assert llm.cache is None
    assert run(llm.structured(MESSAGES, Fact)).value.text == "a"
    assert run(llm.structured(MESSAGES, Fact)).value.text == "b"


def test_a_damaged_cache_file_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "llm-cache.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    cache = ResponseCache(path)
    cache.put("k", "v", 1, 1)
    assert cache.get("k") is not None
    assert any(p.name.startswith("llm-cache.sqlite.corrupt-") for p in tmp_path.iterdir())


def test_cache_hit_through_a_real_sdk(stub: StubServer, tmp_path: Path) -> None:
    config = LLMConfig(provider="openai", model="gpt-4o-mini", base_url=base_url(stub, "openai"))
    llm = LLM(config, cache=tmp_path / "c.sqlite")
    stub.script(Reply(content={"text": "from the server"}))

    async def twice() -> tuple[LLMResult[Fact], LLMResult[Fact]]:
        first = await llm.structured(MESSAGES, Fact)
        second = await llm.structured(MESSAGES, Fact)
        await llm.aclose()
        return first, second

    first, second = run(twice())
    assert second.value.text == "from the server" and second.usage.cached
    assert len(stub.requests) == 1
    assert first.usage.cost_usd is not None and first.usage.cost_usd > 0  # gpt-4o-mini is priced


def test_token_budget_stops_before_sending() -> None:
    tracker = UsageTracker(max_tokens_total=10)
    llm = scripted(["x" * 200] * 5, usage=tracker, cache=False)
    run(llm.text(MESSAGES))  # 50 completion tokens: over budget afterwards
    with pytest.raises(BudgetExceeded, match="max_tokens_total"):
        run(llm.text(MESSAGES))
    assert len(llm.provider.requests) == 1  # type: ignore[attr-defined]
    assert tracker.snapshot()["totals"]["failures"] == 1


def test_cost_budget_is_shared_by_every_llm_of_the_run() -> None:
    tracker = UsageTracker(max_cost_usd=0.001)
    priced = LLMConfig(provider="scripted", price_prompt_per_mtok=10.0, price_completion_per_mtok=40.0)
    topics = LLM(priced, provider=ScriptedProvider(["t" * 400] * 3, model="m1"), usage=tracker, cache=False)
    samples = LLM(priced, provider=ScriptedProvider(["s" * 400] * 3, model="m2"), usage=tracker, cache=False)
    run(topics.text(MESSAGES))  # 100 completion tokens * $40/M = $0.004
    with pytest.raises(BudgetExceeded, match="cost budget reached"):
        run(samples.text(MESSAGES))
    assert len(samples.provider.requests) == 0  # type: ignore[attr-defined]
    snapshot = tracker.snapshot()
    assert snapshot["totals"]["cost_usd"] > 0.001
    assert {m["model"] for m in snapshot["by_model"]} == {"m1", "m2"}
    assert snapshot["budget"] == {"max_tokens_total": None, "max_cost_usd": 0.001}


def test_usage_counts_retries_repairs_and_failures() -> None:
    tracker = UsageTracker()
    answers = [ProviderError("busy", status=503, retryable=True), "bad", {"text": "ok"}]
    from tracefabric.llm import FakeClock

    llm = scripted(answers, usage=tracker, cache=False, clock=FakeClock(auto_advance=True))
    result = run(llm.structured(MESSAGES, Fact))
    assert (result.usage.retries, result.usage.repairs, result.usage.attempts) == (1, 1, 3)
    totals = tracker.snapshot()["totals"]
    assert totals["requests"] == 3 and totals["retries"] == 1 and totals["repairs"] == 1
    assert totals["cost_usd"] == 0.0  # scripted calls are free

    failing = scripted([ProviderError("bad request", status=400)], usage=tracker, cache=False)
    with pytest.raises(ProviderError):
        run(failing.structured(MESSAGES, Fact))
    assert tracker.snapshot()["totals"]["failures"] == 1


def test_price_table() -> None:
    assert price_of("openai", "gpt-4o-mini-2024-07-18") == (0.15, 0.60)
    assert price_of("openai", "gpt-4o") == (2.50, 10.00)
    assert price_of("openrouter", "openai/gpt-4o-mini") == (0.15, 0.60)
    assert price_of("openrouter", "anthropic/claude-3.5-haiku") == (0.80, 4.00)
    assert price_of("openai", "gpt-4.1-mini") == (0.40, 1.60)
    assert price_of("anthropic", "claude-3-5-haiku-20241022") == (0.80, 4.00)
    assert price_of("gemini", "models/gemini-2.5-flash") == (0.30, 2.50)
    assert price_of("gemini", "gemini-2.5-flash-lite") == (0.10, 0.40)
    assert price_of("local", "qwen2.5-coder-1.5b") == (0.0, 0.0)
    assert price_of("openai", "my-finetune") is None
