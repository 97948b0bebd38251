"""The scheduler: continuous bounded concurrency, exact counts, retries, graceful stops.

A new sample starts as soon as one finishes (no waves waiting for the slowest). At most
`target - written` samples are ever in flight, so the run never overshoots; a sample that
fails is retried (with a new prompt) up to `max_retries` times, then its slot is given up
and the next slot takes its place. `concurrency` workers each make a sample, write it (after
the dataset-level gates, e.g. no duplicate questions) and take the next slot in one step of
the event loop, so records are written whole, in the order they complete.
"""

from __future__ import annotations

import asyncio
import traceback
from collections import deque
from dataclasses import dataclass
from typing import Any

from tracefabric.llm import BudgetExceeded, EndpointUnreachable
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
        self._in_flight = 0
        self._workers: set[asyncio.Future[None]] = set()

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
        except (asyncio.CancelledError, EndpointUnreachable):
            raise  # unreachable: every sample would fail the same way; the run stops (exit 3)
        except Exception as exc:  # a bug must not take the whole run down with it
            message = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
            return _Outcome(slot, attempt, error=SampleError("internal_error", message))
        for gate in self.builder.gates:
            reason = gate(record, self.gate_context)
            if reason is not None:
                return _Outcome(slot, attempt, error=SampleError(reason_name(reason), reason, record))
        return _Outcome(slot, attempt, record=record)

    def _take(self) -> tuple[Slot, int] | None:
        """The next (slot, attempt) for a worker, or None when it should end."""
        if self.stop.stopped or self.state.records + self._in_flight >= self.target:
            return None
        if self._retries:
            return self._retries.popleft()
        slot = self._next_slot()
        self._launched.add(slot.key)
        return slot, 0

    async def _work(self) -> None:
        # Each worker writes its own outcome and takes the next slot in the same loop step:
        # no central wait over every task in flight, and no bursts of launches that bunch the
        # requests up (which would make each one wait behind the others' CPU work).
        while (job := self._take()) is not None:
            self._in_flight += 1
            try:
                outcome = await self._attempt(*job)
            finally:
                self._in_flight -= 1
            self._settle(outcome)

    def _add_worker(self) -> bool:
        if (
            self.stop.stopped
            or len(self._workers) >= self.concurrency
            or self.state.records + len(self._workers) >= self.target
        ):
            return False
        self._workers.add(asyncio.ensure_future(self._work()))
        return True

    def _fill(self) -> None:
        """Start workers up to the concurrency, one per sample still to be made."""
        while self._add_worker():
            pass

    async def _ramp_up(self) -> None:
        # One new worker per turn of the event loop. Started all at once, the first requests
        # would move through building, connecting and sending in lockstep and leave together
        # (~50 ms late at 64), and their answers would then come back together and queue.
        while self._add_worker():
            await asyncio.sleep(0)

    def _settle(self, outcome: _Outcome) -> None:
        if outcome.budget is not None:
            self.stop.stop(f"budget reached: {outcome.budget}")
            self._launched.discard(outcome.slot.key)
        elif outcome.error is not None:
            self._fail(outcome.slot, outcome.attempt, outcome.error)
            self._fill()  # workers that ended because the target looked reached may be needed again
        else:
            self._accept(outcome)

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
        ramp = asyncio.ensure_future(self._ramp_up())
        stop_wait = asyncio.ensure_future(self.stop.hard_event.wait())
        try:
            while self._workers or not ramp.done():
                # Wakes only when a worker ends (near the end of the run) or on a hard stop.
                waiting = [*self._workers, stop_wait] if ramp.done() else [*self._workers, ramp, stop_wait]
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if self.stop.hard:
                    break
                for task in done:
                    if task is not stop_wait:
                        self._workers.discard(task)  # type: ignore[arg-type]
                        task.result()  # a crash outside a sample (e.g. the disk) ends the run
        finally:
            stop_wait.cancel()
            ramp.cancel()
            for task in self._workers:
                task.cancel()
            if self._workers:
                await asyncio.gather(*self._workers, return_exceptions=True)
        return SchedulerResult(self.state.records, self.target, self.stop.reason)
