"""Sample workers: build samples in several processes, one event loop each.

One event loop spends the LLM SDK's CPU on every call (~0.5 ms) and, for agent samples, the
sandbox's work: past a few hundred calls per second, answers wait for each other. With `output.workers > 1` the run keeps its single writer, scheduler,
gates and checkpoints in this process, and hands each sample attempt to the least busy
worker process; a worker has its own LLM client (its share of the rate limits) and its own
sandbox, and answers with the record (or the failure) and its usage so far.

Budgets are enforced here, before an attempt is handed out, from the workers' reported
usage; the response cache (SQLite) is shared.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import signal
import subprocess
import sys
import threading
import traceback
from concurrent.futures import Future
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from tracefabric.config import LoadedConfig, RunConfig, config_from_dict
from tracefabric.errors import ConfigError
from tracefabric.llm import BudgetExceeded, EndpointUnreachable
from tracefabric.samples.base import Estimate, SampleError
from tracefabric.samples.gates import RECORD_GATES, Gate
from tracefabric.topics import Topic

from .slots import Slot


def _share(config: RunConfig, count: int) -> RunConfig:
    """The generation LLM limits of one worker: its share of the run's."""
    llm = config.generation_llm()
    updates: dict[str, Any] = {}
    concurrency = llm.max_concurrency or max(16, config.output.concurrency)
    updates["max_concurrency"] = max(1, math.ceil(concurrency / count))
    for name in ("requests_per_minute", "tokens_per_minute"):
        value = getattr(llm, name)
        if value is not None:
            updates[name] = value / count
    generation = config.generation.model_copy(update={"llm": llm.model_copy(update=updates)})
    return config.model_copy(update={"generation": generation})


# -- the worker process ---------------------------------------------------------------------
class _Duplex:
    """Two one-way pipes (file descriptors inherited from the parent) as one connection."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._in = Connection(read_fd, writable=False)
        self._out = Connection(write_fd, readable=False)

    def recv(self) -> Any:
        return self._in.recv()

    def send(self, message: Any) -> None:
        self._out.send(message)

    def close(self) -> None:
        self._in.close()
        self._out.close()


def _worker_main(read_fd: int, write_fd: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    conn = _Duplex(read_fd, write_fd)
    try:
        asyncio.run(_serve(conn, conn.recv()))
    except BaseException:
        try:
            conn.send({"fatal": traceback.format_exc(limit=8)})
        except OSError:
            pass


async def _serve(conn: Any, payload: dict[str, Any]) -> None:
    from tracefabric.llm import LLM
    from tracefabric.llm.usage import UsageTracker

    loaded = config_from_dict(payload["config"], source=payload.get("source", "<config>"))
    config = _share(loaded.config, payload["count"])
    usage = UsageTracker()
    cache = payload.get("cache") or False
    llm = LLM(config.generation_llm(), usage=usage, cache=cache)
    try:
        if config.generation.kind == "agent":
            from tracefabric.samples.agent import AgentBuilder

            builder: Any = AgentBuilder(config, llm, base_dir=Path(payload["base_dir"]))
        else:
            from tracefabric.samples.qa import QABuilder

            builder = QABuilder(config, llm)
        await builder.warmup()
    except Exception as exc:
        conn.send({"error": str(exc), "kind": type(exc).__name__})
        return
    conn.send({"ready": True})
    loop = asyncio.get_running_loop()
    send_lock = threading.Lock()
    stopped = asyncio.Event()

    def send(message: dict[str, Any]) -> None:
        with send_lock:
            conn.send(message)

    async def attempt(message: dict[str, Any]) -> None:
        topic = Topic(id=message["topic_id"], path=tuple(message["topic_path"]), node_id=message["node_id"])
        slot = Slot(message["index"], topic, message["cycle"])
        reply: dict[str, Any] = {"id": message["id"]}
        try:
            reply["record"] = await builder.build(slot, message["attempt"])
        except BudgetExceeded as exc:
            reply["budget"] = str(exc)
        except EndpointUnreachable as exc:
            reply["unreachable"] = exc.detail
        except SampleError as exc:
            reply["error"] = {"reason": exc.reason, "message": exc.message, "raw": exc.raw}
        except Exception as exc:
            reply["error"] = {
                "reason": "internal_error",
                "message": f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}",
                "raw": None,
            }
        reply["usage"] = usage.snapshot()["by_model"]
        send(reply)

    def read() -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                message = {"stop": True}
            if message.get("stop"):
                loop.call_soon_threadsafe(stopped.set)
                return
            loop.call_soon_threadsafe(lambda m=message: asyncio.ensure_future(attempt(m)))

    threading.Thread(target=read, name="tracefabric-worker-reader", daemon=True).start()
    await stopped.wait()
    for task in [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
        task.cancel()
    await builder.aclose()
    await llm.aclose()


# -- the parent's side ----------------------------------------------------------------------
class _Process:
    """A worker started as `python -m tracefabric.run.workers` (not multiprocessing's spawn,
    which would re-import the caller's main script), talking over two inherited pipes."""

    def __init__(self, payload: dict[str, Any]) -> None:
        to_child_r, to_child_w = os.pipe()
        to_parent_r, to_parent_w = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tracefabric.run.workers", str(to_child_r), str(to_parent_w)],
            pass_fds=(to_child_r, to_parent_w),
        )
        os.close(to_child_r)
        os.close(to_parent_w)
        self.conn = _Duplex(to_parent_r, to_child_w)
        self.conn.send(payload)
        self.pending: dict[int, Future[dict[str, Any]]] = {}
        self.lock = threading.Lock()
        self.reader: threading.Thread | None = None

    def wait_ready(self) -> None:
        try:
            hello = self.conn.recv()
        except EOFError:
            hello = {"error": "a sample worker exited at start-up"}
        if not hello.get("ready"):
            raise ConfigError(str(hello.get("error") or hello.get("fatal")))
        self.reader = threading.Thread(target=self._read, name="tracefabric-workers", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                break
            if "fatal" in message:
                break
            future = self.pending.pop(message.get("id"), None)
            if future is not None and not future.done():
                future.set_result(message)
        with self.lock:
            pending, self.pending = self.pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(SampleError("worker_exited", "a sample worker process exited"))

    def submit(self, message: dict[str, Any]) -> Future[dict[str, Any]]:
        future: Future[dict[str, Any]] = Future()
        with self.lock:
            self.pending[message["id"]] = future
            self.conn.send(message)
        return future

    def close(self) -> None:
        try:
            self.conn.send({"stop": True})
        except OSError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.conn.close()


class WorkerPool:
    """A `SampleBuilder` whose builds run in worker processes."""

    def __init__(self, loaded: LoadedConfig, count: int, *, cache: Path | None, usage: Any) -> None:
        config = loaded.config
        self.kind = config.generation.kind
        self.usage = usage  # the run's tracker: budgets are checked against it plus the workers'
        self.gates: list[Gate] = list(RECORD_GATES)
        if self.kind == "agent" and config.generation.tools is not None:
            from tracefabric.samples.agent.gates import agent_gates

            self.gates += agent_gates(config.generation.tools)
        payload = {
            "config": config.model_dump(mode="json", by_alias=True),
            "source": str(loaded.path) if loaded.path else "<config>",
            "base_dir": str(loaded.base_dir),
            "cache": str(cache) if cache else None,
            "count": count,
        }
        self._ids = itertools.count(1)
        self._processes: list[_Process] = []
        self._in_flight: dict[int, int] = {}
        try:
            for _ in range(count):
                self._processes.append(_Process(payload))
            for process in self._processes:
                process.wait_ready()
        except BaseException:
            for process in self._processes:
                process.close()
            raise
        self._in_flight = {i: 0 for i in range(count)}

    async def build(self, slot: Slot, attempt: int) -> dict[str, Any]:
        reason = self.usage.exceeded()
        if reason is not None:
            raise BudgetExceeded(reason)
        index = min(self._in_flight, key=self._in_flight.__getitem__)
        process = self._processes[index]
        message = {
            "id": next(self._ids),
            "index": slot.index,
            "cycle": slot.cycle,
            "attempt": attempt,
            "topic_id": slot.topic.id,
            "topic_path": list(slot.topic.path),
            "node_id": slot.topic.node_id,
        }
        self._in_flight[index] += 1
        try:
            reply = await asyncio.wrap_future(process.submit(message))
        finally:
            self._in_flight[index] -= 1
        if "usage" in reply:
            self.usage.set_external(f"worker-{index}", reply["usage"])
        if "budget" in reply:
            raise BudgetExceeded(reply["budget"])
        if "unreachable" in reply:
            raise EndpointUnreachable(reply["unreachable"])
        if "error" in reply:
            error = reply["error"]
            raise SampleError(error["reason"], error["message"], error.get("raw"))
        return reply["record"]

    def estimate(self) -> Estimate:
        return Estimate(llm_calls=1.0, prompt_tokens=0, completion_tokens=0)

    async def warmup(self) -> None:
        return None  # each worker warms its own builder up before it reports ready

    async def aclose(self) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(None, p.close) for p in self._processes))


if __name__ == "__main__":
    _worker_main(int(sys.argv[1]), int(sys.argv[2]))
