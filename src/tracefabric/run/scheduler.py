"""The scheduler: continuous bounded concurrency, exact counts, retries, graceful stops.

A new sample starts as soon as one finishes (no waves waiting for the slowest). At most
`target - written` samples are ever in flight, so the run never overshoots; a sample that
fails is retried (with a new prompt) up to `max_retries` times, then its slot is given up
and the next slot takes its place. Records are written by this one coroutine, in the order
they complete, after the dataset-level gates (e.g. no duplicate questions) pass.
"""

from __future__ import annotations

import asyncio
import traceback
from collections import deque
from dataclasses import dataclass
from typing import Any

from tracefabric.llm import BudgetExceeded
from tracefabric.samples.base import SampleBuilder, SampleError
from tracefabric.samples.gates import DATASET_GATES, GateContext, reason_name

from .dataset import DatasetState, DatasetWriter, question_key, user_question
from .failures import FailureLog
from .progress import Progress
from .slots import Slot, SlotPlan


@dataclass
class _Outcome:
    slot: Slot
    attempt: int
    record: dict[str, Any] | None = None
    error: SampleError | None = None
    budget: str | None = None


class StopSignal:
    """Why the run should stop launching samples (Ctrl+C, budget, too many failures)."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.event = asyncio.Event()
        self.hard = False
        self.hard_event = asyncio.Event()

    def stop(self, reason: str) -> None:
        """Launch nothing new; samples in flight finish and are written."""
        if self.reason is None:
            self.reason = reason
        self.event.set()

    def stop_now(self, reason: str) -> None:
        """Cancel samples in flight too (what is written stays written)."""
        self.stop(reason)
        self.hard = True
        self.hard_event.set()

    @property
    def stopped(self) -> bool:
        return self.event.is_set()


@dataclass
class SchedulerResult:
    written: int
    target: int
    stop_reason: str | None


class Scheduler:
    def __init__(
        self,
        *,
        plan: SlotPlan,
        builder: SampleBuilder,
        state: DatasetState,
        writer: DatasetWriter,
        failures: FailureLog,
        progress: Progress,
        target: int,
        concurrency: int,
        max_retries: int,
        max_failures: int,
        stop: StopSignal,
    ) -> None:
        self.plan = plan
        self.builder = builder
        self.state = state
        self.writer = writer
        self.failures = failures
        self.progress = progress
        self.target = target
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.max_failures = max_failures
        self.stop = stop
        self.gate_context = GateContext(questions=state.questions)
        self._next_index = 0
        self._launched: set[str] = set()
        self._retries: deque[tuple[Slot, int]] = deque()
        self._in_flight: dict[asyncio.Task[_Outcome], Slot] = {}

    def _next_slot(self) -> Slot:
        done, given_up, launched = self.state.done_keys, self.failures.final, self._launched
        while True:
            slot = self.plan.slot(self._next_index)
            self._next_index += 1
            key = slot.key
            if key not in done and key not in given_up and key not in launched:
                return slot

    async def _attempt(self, slot: Slot, attempt: int) -> _Outcome:
        try:
            record = await self.builder.build(slot, attempt)
        except BudgetExceeded as exc:
            return _Outcome(slot, attempt, budget=str(exc))
        except SampleError as exc:
            return _Outcome(slot, attempt, error=exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must not take the whole run down with it
            message = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
            return _Outcome(slot, attempt, error=SampleError("internal_error", message))
        for gate in self.builder.gates:
            reason = gate(record, self.gate_context)
            if reason is not None:
                return _Outcome(slot, attempt, error=SampleError(reason_name(reason), reason, record))
        return _Outcome(slot, attempt, record=record)

    def _launch(self) -> None:
        while (
            not self.stop.stopped
            and len(self._in_flight) < self.concurrency
            and self.state.records + len(self._in_flight) < self.target
        ):
            if self._retries:
                slot, attempt = self._retries.popleft()
            else:
                slot, attempt = self._next_slot(), 0
            self._launched.add(slot.key)
            task = asyncio.ensure_future(self._attempt(slot, attempt))
            self._in_flight[task] = slot

    def _accept(self, outcome: _Outcome) -> None:
        record = outcome.record
        assert record is not None
        for gate in DATASET_GATES:
            reason = gate(record, self.gate_context)
            if reason is not None:
                self._fail(outcome.slot, outcome.attempt, SampleError(reason_name(reason), reason, record))
                return
        self.writer.write(record)
        self.state.records += 1
        self.state.done_keys.add(outcome.slot.key)
        self.state.questions.add(question_key(user_question(record)))
        self.progress.record()

    def _fail(self, slot: Slot, attempt: int, error: SampleError) -> None:
        final = attempt >= self.max_retries
        self.failures.record(
            slot=slot.key,
            topic_path=list(slot.topic.path),
            attempt=attempt,
            reason=error.reason,
            message=error.message,
            final=final,
            raw=error.raw,
        )
        self.progress.failure(error.reason, final)
        if not final:
            self._retries.append((slot, attempt + 1))
        elif len(self.failures.final) > self.max_failures:
            self.stop.stop(f"too many failed samples ({len(self.failures.final)}); see {self.failures.path}")

    async def run(self) -> SchedulerResult:
        self._launch()
        stop_wait = asyncio.ensure_future(self.stop.hard_event.wait())
        try:
            while self._in_flight:
                done, _ = await asyncio.wait(
                    [*self._in_flight, stop_wait], return_when=asyncio.FIRST_COMPLETED
                )
                if self.stop.hard:
                    break
                for task in done:
                    if task is stop_wait:
                        continue
                    self._in_flight.pop(task)  # type: ignore[arg-type]
                    outcome: _Outcome = task.result()  # type: ignore[assignment]
                    if outcome.budget is not None:
                        self.stop.stop(f"budget reached: {outcome.budget}")
                        self._launched.discard(outcome.slot.key)
                    elif outcome.error is not None:
                        self._fail(outcome.slot, outcome.attempt, outcome.error)
                    else:
                        self._accept(outcome)
                self._launch()
        finally:
            stop_wait.cancel()
            for task in self._in_flight:
                task.cancel()
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)
        return SchedulerResult(self.state.records, self.target, self.stop.reason)
