"""`generate(config)`: turn a run config into a dataset on disk, exactly, without losing work.

    from tracefabric import generate
    summary = generate("examples/quickstart.yaml", num_samples=20)
    print(summary.dataset, summary.written)

The CLI (`tracefabric generate CONFIG`) is a thin layer over this function, with the same
options. A run resumes automatically when its dataset exists and was made from the same
config (the `run.json` hash matches); `resume=True` insists on resuming, `overwrite=True`
starts over.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracefabric.config import LoadedConfig, RunConfig, config_from_dict, load_config
from tracefabric.errors import ConfigError, TracefabricError
from tracefabric.llm import LLM, BudgetExceeded, LLMConfig, Provider
from tracefabric.llm.usage import UsageTracker

from . import provenance
from .dataset import DatasetWriter, scan
from .failures import FailureLog
from .paths import RunPaths
from .progress import Progress, make_progress
from .scheduler import Scheduler, StopSignal
from .slots import SlotPlan

ProviderFactory = Callable[[LLMConfig], Provider]


@dataclass
class RunSummary:
    dataset: Path
    run_json: Path
    failures_path: Path
    written: int
    target: int
    status: str
    stop_reason: str | None
    failures_by_reason: dict[str, int]
    failed_attempts: int
    usage: dict[str, Any]
    elapsed_s: float
    resumed_from: int
    topics: int
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.written >= self.target


def _coerce(config: str | Path | LoadedConfig | RunConfig | Mapping[str, Any]) -> LoadedConfig:
    if isinstance(config, LoadedConfig):
        return config
    if isinstance(config, RunConfig):
        return LoadedConfig(config, None, config.model_dump(mode="json"))
    if isinstance(config, Mapping):
        return config_from_dict(dict(config))
    return load_config(config)


def _with_overrides(loaded: LoadedConfig, output: str | Path | None, num_samples: int | None) -> LoadedConfig:
    updates: dict[str, Any] = {}
    if output is not None:
        updates["path"] = str(output)
    if num_samples is not None:
        if num_samples < 1:
            raise ConfigError("--num-samples must be at least 1")
        updates["num_samples"] = num_samples
    if updates:
        out = loaded.config.output.model_copy(update=updates)
        loaded.config = loaded.config.model_copy(update={"output": out})
    return loaded


class Run:
    """One generation run; `generate()` builds and runs it."""

    def __init__(
        self,
        loaded: LoadedConfig,
        *,
        resume: bool | None,
        overwrite: bool,
        topics_load: str | Path | None,
        progress: str | Progress,
        provider_factory: ProviderFactory | None,
        sandbox: Any = None,
    ) -> None:
        self.loaded = loaded
        self.config = loaded.config
        self.paths = RunPaths(Path(self.config.output.path))
        self.resume = resume
        self.overwrite = overwrite
        self.topics_load = topics_load
        self.provider_factory = provider_factory
        self.sandbox = sandbox
        self.usage = UsageTracker(
            max_tokens_total=self.config.output.max_tokens_total, max_cost_usd=self.config.output.max_cost_usd
        )
        self.hash = provenance.config_hash(self.config)
        self.progress: Progress = (
            progress if not isinstance(progress, str) else make_progress(progress, self._tokens_so_far)
        )
        self.notes: list[str] = list(loaded.notices)
        self.started_at = provenance.now()
        self._llms: list[LLM] = []

    # -- helpers ----------------------------------------------------------------------
    def _tokens_so_far(self) -> tuple[int, float | None]:
        snapshot = self.usage.snapshot()
        totals = snapshot.get("totals", snapshot)
        tokens = int(totals.get("prompt_tokens", 0)) + int(totals.get("completion_tokens", 0))
        cost = totals.get("cost_usd")
        return tokens, float(cost) if cost else None

    def make_llm(self, config: LLMConfig) -> LLM:
        if config.max_concurrency is None and config.provider not in ("local", "scripted"):
            # Unset means "keep up with the run": samples in flight each wait on one request.
            config = config.model_copy(update={"max_concurrency": max(16, self.config.output.concurrency)})
        provider = self.provider_factory(config) if self.provider_factory else None
        cache: Any = self.paths.llm_cache if config.cache else False
        llm = LLM(config, provider=provider, usage=self.usage, cache=cache)
        self._llms.append(llm)
        return llm

    def _check_existing_output(self) -> int:
        """Decide fresh start vs resume; returns the number of records already written."""
        dataset, run_json = self.paths.dataset, self.paths.run_json
        exists = dataset.exists() and dataset.stat().st_size > 0
        if self.overwrite:
            for path in (dataset, run_json, self.paths.failures):
                path.unlink(missing_ok=True)
            return 0
        if not exists:
            if self.resume:
                self.notes.append(f"nothing to resume at {dataset}: starting a new run")
            return 0
        previous = provenance.read_run_json(run_json) or {}
        same = previous.get("config_hash") == self.hash
        if not same:
            what = "was made from a different config" if previous else "has no run.json next to it"
            if self.resume:
                raise ConfigError(
                    f"cannot resume: {dataset} {what} (config hash {previous.get('config_hash')} != {self.hash}); "
                    "use --output for a new dataset or --overwrite to start over"
                )
            raise ConfigError(
                f"{dataset} already exists and {what}; use --output for a new dataset, "
                "--overwrite to start over, or restore the original config to resume"
            )
        if self.resume is False:
            raise ConfigError(
                f"{dataset} already exists; use --resume to continue it or --overwrite to start over"
            )
        return 1

    async def _topics(self) -> tuple[list[Any], dict[str, Any]]:
        from tracefabric.topics import generate_topics_async, load_topics

        config = self.config
        if self.topics_load is not None:
            path = Path(self.topics_load)
            if not path.exists():
                raise ConfigError(f"--topics-load {path}: file does not exist")
            topic_set = load_topics(path)
            info = {"file": str(path), "loaded": True}
        else:
            path = (
                Path(config.topics.save_as)
                if config.topics.save_as
                else self.paths.topics(config.topics.mode)
            )
            llm = self.make_llm(config.topics_llm())
            self.progress.note(
                f"topics: {config.topics.mode} of degree {config.topics.degree}, depth {config.topics.depth}"
            )
            result = await generate_topics_async(config.topics, llm=llm, output=path)
            topic_set = result.topics
            info = {
                "file": str(path),
                "loaded": False,
                "reused": result.reused,
                "stats": result.stats.to_json(),
            }
            if not result.reused:
                self.progress.note(result.stats.describe().splitlines()[0])
        topics = topic_set.topics()
        info["count"] = len({t.id for t in topics})
        return topics, info

    def worker_count(self) -> int:
        setting = self.config.output.workers
        if self.provider_factory is not None or self.sandbox is not None:
            return 1  # test doubles live in this process
        llm = self.config.generation_llm()
        if setting == "auto":
            if llm.provider in ("local", "scripted"):
                return 1  # one embedded model per process would load it N times
            import os

            # One event loop keeps up with ~256 samples in flight (measured: 0.93 of ideal at 256,
            # where two processes gave 0.87); each worker process also runs its sandbox
            # processes, so leave every worker two cores.
            return max(1, min((os.cpu_count() or 1) // 2, self.config.output.concurrency // 256))
        if llm.provider == "local" and setting > 1:
            self.notes.append("output.workers: the embedded model runs in one process; using 1 worker")
            return 1
        return int(setting)

    def _builder(self) -> Any:
        kind = self.config.generation.kind
        workers = self.worker_count()
        if workers > 1:
            from .workers import WorkerPool

            llm_config = self.config.generation_llm()
            self.progress.note(f"building samples in {workers} worker processes")
            return WorkerPool(
                self.loaded,
                workers,
                cache=self.paths.llm_cache if llm_config.cache else None,
                usage=self.usage,
            )
        llm = self.make_llm(self.config.generation_llm())
        if kind == "agent":
            from tracefabric.samples.agent import AgentBuilder

            return AgentBuilder(self.config, llm, base_dir=self.loaded.base_dir, sandbox=self.sandbox)
        from tracefabric.samples.qa import QABuilder

        return QABuilder(self.config, llm)

    def _run_json(self, status: str, **extra: Any) -> dict[str, Any]:
        generation_llm = self.config.generation_llm()
        llm_info: dict[str, Any] = {
            "generation": {"provider": generation_llm.provider, "model": generation_llm.resolved_model},
            "topics": {
                "provider": self.config.topics_llm().provider,
                "model": self.config.topics_llm().resolved_model,
            },
        }
        for llm in self._llms:
            sha = getattr(llm.provider, "weights_sha256", None)
            if sha:
                llm_info["weights_sha256"] = sha
        return {
            "tracefabric": provenance.package_versions()["tracefabric"],
            "status": status,
            "started_at": self.started_at,
            "updated_at": provenance.now(),
            "command": provenance.command_line(),
            "config_file": str(self.loaded.path) if self.loaded.path else None,
            "translated_from": self.loaded.translated_from,
            "config_hash": self.hash,
            "config": self.config.model_dump(mode="json"),
            "dataset": str(self.paths.dataset),
            "failures_file": str(self.paths.failures),
            "llm": llm_info,
            "versions": provenance.package_versions(),
            "usage": self.usage.snapshot(),
            **extra,
        }

    # -- the run ----------------------------------------------------------------------
    def _check_api_keys(self) -> None:
        """A missing key is one clear error before any work starts (not after the topics)."""
        if self.provider_factory is not None:
            return
        from tracefabric.llm.providers.keys import resolve_api_key

        configs = [self.config.generation_llm()]
        if self.topics_load is None:
            configs.append(self.config.topics_llm())
        for config in configs:
            if config.provider not in ("local", "scripted"):
                resolve_api_key(config)

    async def run(self) -> RunSummary:
        started = time.perf_counter()
        self._check_api_keys()
        self._check_existing_output()
        stop = StopSignal()
        restore = _install_signal_handlers(stop, self.progress)
        builder = None
        writer = None
        failures = FailureLog(self.paths.failures)
        state = scan(self.paths.dataset)
        if state.repaired_bytes:
            self.notes.append(
                f"cut off a torn last line ({state.repaired_bytes} bytes) left by an interrupted run"
            )
        resumed_from = state.records
        topics_info: dict[str, Any] = {}
        target = 0
        sampling_s = 0.0
        status = "failed"
        stop_reason: str | None = None
        try:
            provenance.write_json_atomic(
                self.paths.run_json, self._run_json("running", records=state.records)
            )
            topics, topics_info = await self._topics()
            target = self.config.output.resolve_num_samples(topics_info["count"])
            builder = self._builder()
            writer = DatasetWriter(self.paths.dataset)
            max_failures = self.config.output.max_failures
            if max_failures is None:
                max_failures = 2 * target + 10
            scheduler = Scheduler(
                plan=SlotPlan(topics, self.config.output.seed),
                builder=builder,
                state=state,
                writer=writer,
                failures=failures,
                progress=self.progress,
                target=target,
                concurrency=self.config.output.concurrency,
                max_retries=self.config.generation.max_retries,
                max_failures=max_failures,
                stop=stop,
            )
            label = f"{self.config.generation.kind} samples"
            from tracefabric.llm.tuning import settle_heap

            await builder.warmup()  # so the first wave of samples starts together, not behind it
            settle_heap()  # start-up is done: later GC passes only scan what the run allocates
            self.progress.start(target, state.records, label)
            sampling_started = time.perf_counter()
            try:
                result = await scheduler.run()
            finally:
                self.progress.finish()
                sampling_s = time.perf_counter() - sampling_started
            stop_reason = result.stop_reason
            if result.written >= target:
                status = "completed"
            elif stop_reason and stop_reason.startswith("budget"):
                status = "budget_reached"
            elif stop_reason == "interrupted":
                status = "interrupted"
            else:
                status = "stopped"
        except BudgetExceeded as exc:  # reached during the topic stage
            status, stop_reason = "budget_reached", f"budget reached: {exc}"
        except BaseException as exc:
            stop_reason = stop_reason or f"{type(exc).__name__}: {exc}"
            if isinstance(exc, KeyboardInterrupt | asyncio.CancelledError):
                status = "interrupted"
            raise
        finally:
            restore()
            if writer is not None:
                writer.close()
            failures.close()
            if builder is not None:
                await builder.aclose()
            for llm in self._llms:
                with contextlib.suppress(Exception):
                    await llm.aclose()
            elapsed = time.perf_counter() - started
            provenance.write_json_atomic(
                self.paths.run_json,
                self._run_json(
                    status,
                    records=state.records,
                    target=target,
                    resumed_from=resumed_from,
                    stop_reason=stop_reason,
                    failures={
                        "failed_attempts": failures.attempts_failed,
                        "given_up_by_reason": dict(failures.by_reason),
                    },
                    topics=topics_info,
                    elapsed_s=round(elapsed, 3),
                    sampling_s=round(sampling_s, 3),
                    notes=self.notes,
                ),
            )
        return RunSummary(
            dataset=self.paths.dataset,
            run_json=self.paths.run_json,
            failures_path=self.paths.failures,
            written=state.records,
            target=target,
            status=status,
            stop_reason=stop_reason,
            failures_by_reason=dict(failures.by_reason),
            failed_attempts=failures.attempts_failed,
            usage=self.usage.snapshot(),
            elapsed_s=elapsed,
            resumed_from=resumed_from,
            topics=int(topics_info.get("count", 0)),
            notes=self.notes,
        )


def _install_signal_handlers(stop: StopSignal, progress: Progress) -> Callable[[], None]:
    """First Ctrl+C: finish the samples in flight, then stop. Second: stop now."""
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if not stop.stopped:
            progress.note("stopping: finishing the samples in flight (Ctrl+C again to stop now)")
            stop.stop("interrupted")
        else:
            progress.note("stopping now")
            stop.stop_now("interrupted")

    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, on_signal)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread (e.g. an embedding application): no handlers

    def restore() -> None:
        for sig in installed:
            loop.remove_signal_handler(sig)

    return restore


async def generate_async(
    config: str | Path | LoadedConfig | RunConfig | Mapping[str, Any],
    *,
    num_samples: int | None = None,
    output: str | Path | None = None,
    resume: bool | None = None,
    overwrite: bool = False,
    topics_load: str | Path | None = None,
    progress: str | Progress = "none",
    provider_factory: ProviderFactory | None = None,
    sandbox: Any = None,
) -> RunSummary:
    loaded = _with_overrides(_coerce(config), output, num_samples)
    run = Run(
        loaded,
        resume=resume,
        overwrite=overwrite,
        topics_load=topics_load,
        progress=progress,
        provider_factory=provider_factory,
        sandbox=sandbox,
    )
    summary = await run.run()
    if loaded.config.hub is not None and summary.status == "completed":
        from tracefabric.hub.after_run import push_after_run

        summary.notes.append(await asyncio.to_thread(push_after_run, summary.dataset, loaded.config.hub))
    return summary


def generate(config: str | Path | LoadedConfig | RunConfig | Mapping[str, Any], **options: Any) -> RunSummary:
    """Run a generation to completion (or to a graceful stop); see `RunSummary`.

    Takes the options of `generate_async`: num_samples, output, resume, overwrite,
    topics_load, progress ("rich", "plain", "none" or a Progress), provider_factory, sandbox.
    """
    try:
        return asyncio.run(generate_async(config, **options))
    except RuntimeError as exc:
        if "asyncio.run() cannot be called" in str(exc):
            raise TracefabricError(
                "generate() was called inside a running event loop; await generate_async()"
            ) from None
        raise
