"""`tracefabric verify DATASET`: check what users train on, then replay what really ran.

For each line of the dataset, in order:

1. the line must be a record object (bad lines are reported with their number; the run goes on);
2. its `messages` must agree with its `trace` one to one (`agreement.agreement_problems`):
   tool names, arguments, and every tool message exactly as the builder rendered the
   recorded response;
3. every recorded call is re-executed in a fresh session (the recorded session id, emptied
   first, so seeded fault injection decides the same way), re-seeded with the run's scenario
   seed (its digest must match the recorded one); each response and the session state
   digest after it must equal the record's.

Records without a trace (DeepFabric format, basic/cot samples) are skipped: nothing to
replay. Records that used a component the sandbox marks `deterministic = false` are checked
for agreement but not replayed (skipped).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tracefabric.config import config_from_dict
from tracefabric.errors import ConfigError, SandboxError, TracefabricError
from tracefabric.run.paths import RunPaths
from tracefabric.run.provenance import read_run_json
from tracefabric.samples.base import SampleError  # seeding a replay session failed

from .agreement import Problem, agreement_problems
from .lines import Line, read_lines
from .report import SampleReport, Status, VerifyReport

_EXCERPT = 120
# Called with the tool environment and the session id once a record's calls have replayed
# (or the first mismatching one), before the session ends: the viewer reads the files there.
Inspect = Callable[[Any, str], Awaitable[None]]


class _Verifier:
    """One verify run: the run's config (read once), the sandbox (opened on first need)."""

    def __init__(
        self,
        dataset: Path,
        run_json: Path | None,
        manifest: str | None,
        endpoint: str | None,
        inspect: Inspect | None = None,
    ):
        self.dataset = dataset
        self.inspect = inspect
        self.info_path = run_json or RunPaths(dataset).run_json
        self.manifest = manifest
        self.endpoint = endpoint
        self.info = self._read_info(explicit=run_json is not None)
        self.tools: Any = None
        self.kind: str | None = None
        if self.info is not None:
            loaded = config_from_dict(self.info.get("config") or {}, source=str(self.info_path))
            self.tools = loaded.config.generation.tools
            self.kind = loaded.config.generation.kind
        self.limit = self.tools.max_observation_chars if self.tools is not None else None
        self.env: Any = None

    def _read_info(self, *, explicit: bool) -> dict[str, Any] | None:
        if not explicit and not self.info_path.exists():
            return None  # fine until a record needs replaying
        info = read_run_json(self.info_path)
        if info is None:
            raise ConfigError(f"cannot read the run's {self.info_path} (missing or not a JSON object)")
        return info

    def environment(self) -> Any:
        if self.env is not None:
            return self.env
        if self.info is None:
            raise ConfigError(
                f"{self.dataset} holds traces to replay, but the run's {self.info_path.name} is not next "
                "to it (pass --run-json)"
            )
        if self.tools is None:
            raise ConfigError(
                f"{self.dataset} holds traces, but its run made {self.kind!r} samples (no tools to replay with)"
            )
        from tracefabric.samples.agent.environment import ToolEnvironment

        updates: dict[str, Any] = {}
        if self.manifest:
            updates["manifest"] = str(Path(self.manifest).resolve())
        if self.endpoint:
            updates["endpoint"] = self.endpoint
        tools = self.tools.model_copy(update=updates) if updates else self.tools
        config_file = self.info.get("config_file")
        base_dir = Path(config_file).resolve().parent if config_file else Path.cwd()
        try:
            self.env = ToolEnvironment(tools, base_dir)
        except SandboxError as exc:
            raise ConfigError(
                f"cannot start the sandbox to replay: {exc.error_type}: {exc.message}"
            ) from None
        return self.env

    async def aclose(self) -> None:
        if self.env is not None:
            await self.env.aclose()

    # -- one line -----------------------------------------------------------------------
    async def verify(self, line: Line) -> SampleReport:
        record = line.record
        if record is None:
            return SampleReport(line.number, "-", Status.INVALID, detail=str(line.problem))
        metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
        sample = str(metadata.get("sample_id", f"line-{line.number}"))
        trace = record.get("trace")
        messages = record.get("messages")
        if not isinstance(messages, list):
            what = "missing" if messages is None else "not a list of messages"
            return _failed(line.number, sample, 0, [Problem("invalid", "messages", what)])
        if trace is None:
            if self.tools is not None or metadata.get("kind") == "agent":
                return SampleReport(
                    line.number, sample, Status.INVALID, detail="no trace: an agent record must carry one"
                )
            return SampleReport(
                line.number,
                sample,
                Status.SKIPPED,
                detail="no trace: nothing to replay (messages and tools only)",
                skip="no_trace",
            )
        problems = agreement_problems(record, max_observation_chars=self.limit)
        if not problems:
            problems = _replay_fields(trace)
        calls = trace.get("calls") if isinstance(trace, dict) else None
        count = len(calls) if isinstance(calls, list) else 0
        if problems:
            return _failed(line.number, sample, count, problems)
        return await self._replay(line.number, sample, trace)

    async def _replay(self, number: int, sample: str, trace: dict[str, Any]) -> SampleReport:
        env = self.environment()
        calls: list[dict[str, Any]] = trace["calls"]
        claims = trace.get("components") or {}
        nondeterministic = sorted(
            {
                c["component"]
                for c in calls
                if "component" in c and not _deterministic(env, c["component"], claims)
            }
        )
        if nondeterministic:
            return SampleReport(
                number,
                sample,
                Status.SKIPPED,
                len(calls),
                f"non-deterministic: {', '.join(nondeterministic)} (messages agree with the trace; not replayed)",
                skip="nondeterministic",
            )
        seed = trace.get("seed") or {}
        if seed.get("digest") and seed["digest"] != env.seed.digest:
            problem = Problem(
                "mismatch",
                "trace.seed.digest",
                "the scenario seed files changed since the run",
                str(seed["digest"]),
                env.seed.digest,
            )
            return _failed(number, sample, len(calls), [problem])
        session = trace.get("session_id") or f"verify-{sample}"
        try:
            await env.start_session(session)
            problem = None
            for index, call in enumerate(calls):
                if "component" not in call:
                    continue  # a call the host never saw (unknown tool name): nothing to replay
                problem = await _replay_call(env, index, call, session, trace.get("namespace"))
                if problem is not None:
                    break
            if self.inspect is not None:  # the session as the replay left it, before it ends
                await self.inspect(env, session)
            if problem is not None:
                return _failed(number, sample, len(calls), [problem])
        except (TracefabricError, SampleError) as exc:
            problem = Problem("invalid", "trace", f"replay failed: {_error_text(exc)}")
            return _failed(number, sample, len(calls), [problem])
        finally:
            await env.end_session(session)
        return SampleReport(number, sample, Status.OK, len(calls))


async def _replay_call(
    env: Any, index: int, call: dict[str, Any], session: str, namespace: str | None
) -> Problem | None:
    where = f"trace.calls[{index}]"
    try:
        result = await env.sandbox.acall(
            call["component"], call["tool"], call["request"]["args"], session, namespace=namespace, trace=True
        )
    except SandboxError as exc:
        if exc.error_type == "UnknownComponent":
            return Problem("invalid", f"{where}.component", f"{call['component']!r} is not in the sandbox")
        return Problem("invalid", where, f"{call['tool']}: replay failed: {exc.error_type}: {exc.message}")
    got = {"success": result.success, "result": result.result, "error_type": result.error_type}
    want = call["response"]
    for key in ("success", "error_type", "result"):
        if want.get(key) != got[key]:
            return Problem(
                "mismatch",
                f"{where}.response.{key}",
                f"{call['tool']}: replay gives a different {key}",
                _short(want.get(key)),
                _short(got[key]),
            )
    digest = (result.trace or {}).get("state_digest")
    if call.get("state_digest") and digest != call["state_digest"]:
        return Problem(
            "mismatch",
            f"{where}.state_digest",
            f"{call['tool']}: the session state after the call differs on replay",
            call["state_digest"],
            str(digest),
        )
    return None


def _replay_fields(trace: dict[str, Any]) -> list[Problem]:
    """The trace fields only replay reads (agreement has checked the calls)."""
    problems = []
    for key in ("session_id", "namespace"):
        if trace.get(key) is not None and not isinstance(trace[key], str):
            problems.append(Problem("invalid", f"trace.{key}", "neither a string nor null"))
    for key in ("seed", "components"):
        if trace.get(key) is not None and not isinstance(trace[key], dict):
            problems.append(Problem("invalid", f"trace.{key}", "not an object"))
    for index, call in enumerate(trace["calls"]):
        digest = call.get("state_digest")
        if digest is not None and not isinstance(digest, str):
            problems.append(
                Problem("invalid", f"trace.calls[{index}].state_digest", "neither a string nor null")
            )
    return problems


def _deterministic(env: Any, component: str, claims: dict[str, Any]) -> bool:
    """The sandbox's word when it gives one (a record can't skip replay by claiming otherwise)."""
    info = env.components.get(component) or {}
    if "deterministic" in info:
        return bool(info["deterministic"])
    claim = claims.get(component)
    return not (isinstance(claim, dict) and claim.get("deterministic") is False)


def _failed(number: int, sample: str, calls: int, problems: list[Problem]) -> SampleReport:
    invalid = any(p.severity == "invalid" for p in problems)
    first = next(p for p in problems if p.severity == "invalid") if invalid else problems[0]
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    status = Status.INVALID if invalid else Status.MISMATCH
    return SampleReport(number, sample, status, calls, f"{first}{more}", problems)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"


def _error_text(exc: Exception) -> str:
    if isinstance(exc, SandboxError):
        return f"{exc.error_type}: {exc.message}"
    return str(exc)


async def verify_dataset_async(
    dataset: str | Path,
    *,
    run_json: str | Path | None = None,
    manifest: str | None = None,
    endpoint: str | None = None,
    limit: int | None = None,
    on_sample: Callable[[SampleReport], None] | None = None,
) -> VerifyReport:
    path = Path(dataset)
    if not path.is_file():
        raise ConfigError(
            f"dataset {path} does not exist" if not path.exists() else f"dataset {path} is not a file"
        )
    verifier = _Verifier(path, Path(run_json) if run_json else None, manifest, endpoint)
    report = VerifyReport(path)
    try:
        for line in read_lines(path):
            if limit is not None and len(report.samples) >= limit:
                break
            sample = await verifier.verify(line)
            report.samples.append(sample)
            if on_sample is not None:
                on_sample(sample)
    finally:
        await verifier.aclose()
    return report


async def replay_record(
    record: dict[str, Any],
    *,
    dataset: str | Path,
    line: int = 1,
    run_json: str | Path | None = None,
    inspect: Inspect | None = None,
) -> SampleReport:
    """Verify one record of `dataset` (its run.json next to it unless given) like `verify`
    does, calling `inspect(environment, session)` once its calls have replayed."""
    path = Path(dataset)
    verifier = _Verifier(path, Path(run_json) if run_json else None, None, None, inspect)
    try:
        return await verifier.verify(Line(line, record))
    finally:
        await verifier.aclose()


def verify_dataset(dataset: str | Path, **options: Any) -> VerifyReport:
    """Check and replay a dataset; see `VerifyReport` (`.passed`, `.count(status)`, `.to_json()`)."""
    return asyncio.run(verify_dataset_async(dataset, **options))
