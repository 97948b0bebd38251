"""Run-level usage accounting and budgets, shared by every `LLM` of a run.

    tracker = UsageTracker(max_tokens_total=2_000_000, max_cost_usd=5.0)
    topics_llm = LLM(cfg.topics_llm, usage=tracker)
    samples_llm = LLM(cfg.generation_llm, usage=tracker)
    ...
    run_json["llm_usage"] = tracker.snapshot()

When a budget is reached, the next request raises `BudgetExceeded` before anything is sent;
requests already in flight finish (and are counted), so a run overshoots by at most those.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

from .types import BudgetExceeded


@dataclass
class ModelUsage:
    """Totals for one provider+model."""

    provider: str
    model: str
    calls: int = 0  # logical calls (structured/text), cached ones included
    requests: int = 0  # requests sent to the provider (retries and repairs included)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = 0
    repairs: int = 0
    cache_hits: int = 0
    failures: int = 0  # calls that ended in an exception
    cost_usd: float = 0.0
    unpriced_requests: int = 0  # requests whose cost is unknown (no price for the model)
    latency_s: float = 0.0  # summed wall time of the calls

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class UsageTracker:
    def __init__(self, *, max_tokens_total: int | None = None, max_cost_usd: float | None = None) -> None:
        self.max_tokens_total = max_tokens_total
        self.max_cost_usd = max_cost_usd
        self._models: dict[tuple[str, str], ModelUsage] = {}
        # Usage reported by other processes of the run (sample workers), by source.
        self._external: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _entry(self, provider: str, model: str) -> ModelUsage:
        key = (provider, model)
        entry = self._models.get(key)
        if entry is None:
            entry = self._models[key] = ModelUsage(provider, model)
        return entry

    # -- totals -------------------------------------------------------------------------
    def set_external(self, source: str, by_model: list[dict[str, Any]]) -> None:
        """Record another process's usage so far (its `snapshot()["by_model"]`)."""
        with self._lock:
            self._external[source] = by_model

    def _all_models(self) -> list[dict[str, Any]]:
        merged: dict[tuple[str, str], dict[str, Any]] = {}
        sources = [[asdict(entry) for entry in self._models.values()], *self._external.values()]
        for models in sources:
            for model in models:
                key = (model["provider"], model["model"])
                into = merged.setdefault(key, {"provider": model["provider"], "model": model["model"]})
                for name, value in model.items():
                    if name not in ("provider", "model", "total_tokens"):
                        into[name] = into.get(name, 0) + value
        for model in merged.values():
            model["total_tokens"] = model.get("prompt_tokens", 0) + model.get("completion_tokens", 0)
        return list(merged.values())

    @property
    def total_tokens(self) -> int:
        with self._lock:
            return sum(m["total_tokens"] for m in self._all_models())

    @property
    def total_cost_usd(self) -> float:
        with self._lock:
            return sum(m.get("cost_usd", 0.0) for m in self._all_models())

    def exceeded(self) -> str | None:
        """Why the run must stop, or None."""
        if self.max_tokens_total is not None:
            used = self.total_tokens
            if used >= self.max_tokens_total:
                limit = self.max_tokens_total
                return f"token budget reached: {used:,} of {limit:,} tokens used (max_tokens_total)"
        if self.max_cost_usd is not None:
            spent = self.total_cost_usd
            if spent >= self.max_cost_usd:
                return f"cost budget reached: ${spent:.4f} of ${self.max_cost_usd:.4f} spent (max_cost_usd)"
        return None

    def check_budget(self) -> None:
        reason = self.exceeded()
        if reason is not None:
            raise BudgetExceeded(reason)

    # -- recording (called by LLM) ------------------------------------------------------
    def record_request(
        self, provider: str, model: str, prompt_tokens: int, completion_tokens: int, cost_usd: float | None
    ) -> None:
        with self._lock:
            entry = self._entry(provider, model)
            entry.requests += 1
            entry.prompt_tokens += prompt_tokens
            entry.completion_tokens += completion_tokens
            if cost_usd is None:
                entry.unpriced_requests += 1
            else:
                entry.cost_usd += cost_usd

    def record_call(
        self,
        provider: str,
        model: str,
        *,
        latency_s: float,
        retries: int = 0,
        repairs: int = 0,
        cached: bool = False,
        failed: bool = False,
    ) -> None:
        with self._lock:
            entry = self._entry(provider, model)
            entry.calls += 1
            entry.retries += retries
            entry.repairs += repairs
            entry.cache_hits += int(cached)
            entry.failures += int(failed)
            entry.latency_s += latency_s

    # -- reporting ----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """JSON-able totals for run.json: overall and per provider+model."""
        with self._lock:
            models = self._all_models()
        totals: dict[str, Any] = {
            key: sum(m[key] for m in models)
            for key in (
                "calls", "requests", "prompt_tokens", "completion_tokens", "total_tokens",
                "retries", "repairs", "cache_hits", "failures", "unpriced_requests",
            )
        }  # fmt: skip
        totals["cost_usd"] = round(sum(m["cost_usd"] for m in models), 6)
        for m in models:
            m["cost_usd"] = round(m["cost_usd"], 6)
            m["latency_s"] = round(m["latency_s"], 3)
        return {
            "totals": totals,
            "budget": {"max_tokens_total": self.max_tokens_total, "max_cost_usd": self.max_cost_usd},
            "by_model": models,
        }
