"""`tracefabric verify DATASET`: replay every recorded tool call and check it reproduces.

For each agent record: a fresh session (the recorded session id, emptied first, so seeded
fault injection decides the same way), re-seeded with the run's scenario seed (its digest
must match the recorded one), then every call re-executed in order; each response
(success, result, error_type) and the session state digest after it must equal what the
record holds. Records that touched components marked `deterministic = false` are reported
as skipped, not failed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracefabric.config import config_from_dict
from tracefabric.errors import ConfigError
from tracefabric.run.paths import RunPaths
from tracefabric.run.provenance import read_run_json


@dataclass
class SampleReport:
    line: int
    sample_id: str
    status: str  # reproduced, mismatch, skipped
    calls: int = 0
    detail: str = ""


@dataclass
class VerifyReport:
    dataset: Path
    samples: list[SampleReport] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for s in self.samples if s.status == status)

    @property
    def ok(self) -> bool:
        return self.count("mismatch") == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": str(self.dataset),
            "reproduced": self.count("reproduced"),
            "mismatch": self.count("mismatch"),
            "skipped": self.count("skipped"),
            "samples": [s.__dict__ for s in self.samples],
        }


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, json.loads(line)


def _environment(dataset: Path, run_json: Path | None, manifest: str | None, endpoint: str | None) -> Any:
    from tracefabric.samples.agent.environment import ToolEnvironment

    info_path = run_json or RunPaths(dataset).run_json
    info = read_run_json(info_path)
    if info is None:
        raise ConfigError(f"verify needs the run's {info_path.name} next to the dataset (or --run-json)")
    loaded = config_from_dict(info["config"], source=str(info_path))
    tools = loaded.config.generation.tools
    if tools is None:
        raise ConfigError(
            f"{dataset} has no agent samples (generation.kind is {loaded.config.generation.kind!r})"
        )
    updates: dict[str, Any] = {}
    if manifest:
        updates["manifest"] = str(Path(manifest).resolve())
    if endpoint:
        updates["endpoint"] = endpoint
    if updates:
        tools = tools.model_copy(update=updates)
    config_file = info.get("config_file")
    base_dir = Path(config_file).resolve().parent if config_file else Path.cwd()
    return ToolEnvironment(tools, base_dir)


async def _verify_record(env: Any, line: int, record: dict[str, Any]) -> SampleReport:
    metadata = record.get("metadata") or {}
    sample = str(metadata.get("sample_id", f"line-{line}"))
    trace = record.get("trace")
    if not isinstance(trace, dict):
        return SampleReport(line, sample, "skipped", detail="no trace (not an agent sample)")
    calls = trace.get("calls") or []
    nondeterministic = [
        name for name, info in (trace.get("components") or {}).items() if not info.get("deterministic", True)
    ]
    if nondeterministic:
        return SampleReport(
            line, sample, "skipped", len(calls), f"non-deterministic: {', '.join(nondeterministic)}"
        )
    seed = trace.get("seed") or {}
    if seed.get("digest") and seed.get("digest") != env.seed.digest:
        return SampleReport(
            line, sample, "mismatch", len(calls), "the scenario seed files changed since the run"
        )
    session = trace.get("session_id") or f"verify-{sample}"
    namespace = trace.get("namespace")
    try:
        await env.start_session(session)
        for index, call in enumerate(calls, start=1):
            if "component" not in call:
                continue  # a call the host never saw (unknown tool name): nothing to replay
            result = await env.sandbox.acall(
                call["component"],
                call["tool"],
                call["request"]["args"],
                session,
                namespace=namespace,
                trace=True,
            )
            got = {"success": result.success, "result": result.result, "error_type": result.error_type}
            if got != call["response"]:
                return SampleReport(line, sample, "mismatch", len(calls), _difference(index, call, got))
            digest = (result.trace or {}).get("state_digest")
            if call.get("state_digest") and digest != call["state_digest"]:
                return SampleReport(
                    line,
                    sample,
                    "mismatch",
                    len(calls),
                    f"call {index} ({call['tool']}): state after the call differs",
                )
    finally:
        await env.end_session(session)
    return SampleReport(line, sample, "reproduced", len(calls))


def _difference(index: int, call: dict[str, Any], got: dict[str, Any]) -> str:
    want = call["response"]
    for key in ("success", "error_type", "result"):
        if want.get(key) != got.get(key):
            return (
                f"call {index} ({call['tool']}): {key} was {str(want.get(key))[:120]!r}, "
                f"replay gives {str(got.get(key))[:120]!r}"
            )
    return f"call {index} ({call['tool']}): response differs"


async def verify_dataset_async(
    dataset: str | Path,
    *,
    run_json: str | Path | None = None,
    manifest: str | None = None,
    endpoint: str | None = None,
    limit: int | None = None,
    on_sample: Any = None,
) -> VerifyReport:
    path = Path(dataset)
    if not path.exists():
        raise ConfigError(f"dataset {path} does not exist")
    env = _environment(path, Path(run_json) if run_json else None, manifest, endpoint)
    report = VerifyReport(path)
    try:
        for line, record in _records(path):
            if limit is not None and len(report.samples) >= limit:
                break
            sample = await _verify_record(env, line, record)
            report.samples.append(sample)
            if on_sample is not None:
                on_sample(sample)
    finally:
        await env.aclose()
    return report


def verify_dataset(dataset: str | Path, **options: Any) -> VerifyReport:
    """Replay a dataset's tool calls; see `VerifyReport` (`.ok`, `.to_json()`)."""
    return asyncio.run(verify_dataset_async(dataset, **options))
