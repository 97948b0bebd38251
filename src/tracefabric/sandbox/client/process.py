"""Process transport: the sandbox host in child processes, reached over pipes.

Same components, same router, same answers as in-process; but the guests run on their own
interpreters (and cores). A generation run's event loop spends its time on LLM I/O, and
Wasm host calls need the interpreter lock too: in one process the two contend, and a tool
call costs several times its own CPU. Child processes also keep a crashing runtime away
from the run.

Requests that belong to a session go to the child that owns it (a hash of the session id),
so a session keeps its instance, and a runaway call holds up only its own child. Other
requests (tool lists, management operations) go to the first child; after a management
operation every child forgets its cached tool lists. Messages are JSON lines, answers may
come back out of order, matched by id.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import threading
import zlib
from collections.abc import Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tracefabric.errors import ConfigError, ErrorType, SandboxError
from tracefabric.sandbox.api.wire import encode_json, encode_query

READ_ONLY_OPERATIONS = {"execute", "tools", "health", "components"}


def _unavailable(message: str) -> SandboxError:
    return SandboxError(ErrorType.SERVICE_UNAVAILABLE, message, status=503)


class _Worker:
    """One child process and the futures of its requests in flight."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tracefabric.sandbox.worker", json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # progress notices and component logs show up as usual
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin = self.process.stdin
        self.stdout = self.process.stdout
        self.pending: dict[int, Future[tuple[int, Any]]] = {}
        self.lock = threading.Lock()
        self.closed = False
        self.reader: threading.Thread | None = None

    def wait_ready(self) -> None:
        first = self.stdout.readline()
        try:
            hello = json.loads(first) if first else {"error": "the sandbox process exited at start-up"}
        except ValueError:
            hello = {"error": f"unexpected output from the sandbox process: {first[:200]!r}"}
        if not hello.get("ready"):
            self.process.kill()
            self.process.wait()
            raise ConfigError(str(hello.get("error")))
        self.reader = threading.Thread(target=self._read, name="tracefabric-sandbox-reader", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.stdout:
            try:
                message = json.loads(line)
                future = self.pending.pop(message["id"], None)
            except (ValueError, KeyError):
                continue
            if future is not None and not future.done():
                future.set_result((int(message["status"]), json.loads(message["body"])))
        code = self.process.wait()  # the child is gone: nobody will answer what is pending
        with self.lock:
            pending, self.pending = self.pending, {}
            self.closed = True
        for future in pending.values():
            if not future.done():
                future.set_exception(_unavailable(f"the sandbox process exited (status {code})"))

    def submit(self, message: dict[str, Any]) -> Future[tuple[int, Any]]:
        future: Future[tuple[int, Any]] = Future()
        line = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        with self.lock:
            if self.closed:
                raise _unavailable("the sandbox process is not running")
            self.pending[message["id"]] = future
            try:
                self.stdin.write(line)
                self.stdin.flush()
            except (BrokenPipeError, OSError):
                self.pending.pop(message["id"], None)
                raise _unavailable("the sandbox process is not running") from None
        return future

    def close(self) -> None:
        with self.lock:
            if self.process.poll() is None and not self.stdin.closed:
                try:
                    self.stdin.close()  # the worker finishes what it has, then exits
                except OSError:
                    pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.reader is not None:
            self.reader.join(timeout=5)


class ProcessTransport:
    def __init__(
        self,
        manifest: str | Path | None = None,
        *,
        data_dir: str | Path | None = None,
        enable: list[str] | tuple[str, ...] = (),
        variables: Mapping[str, str] | None = None,
        processes: int | None = None,
        pool_size: int = 0,
        preload: list[str] | None = None,
    ) -> None:
        # The caller's own process (an event loop busy with LLM I/O) needs a core too: more
        # sandbox processes than the spare cores only adds contention (measured on 2 cores).
        count = processes or max(1, min(4, ((os.cpu_count() or 2) - 1) // 2))
        config = {
            "manifest": None if manifest is None else str(manifest),
            "data_dir": None if data_dir is None else str(data_dir),
            "enable": list(enable),
            "variables": dict(variables or {}),
            "workers": 1,  # threads in one process contend for its interpreter: scale with processes
            "pool_size": pool_size,
            "preload": preload,  # components to load at start (None: every enabled one)
        }
        self._ids = itertools.count(1)
        self._workers: list[_Worker] = []
        try:
            self._workers.append(_Worker(config))
            self._workers[0].wait_ready()  # the first one builds/compiles what is missing
            more = [_Worker(config) for _ in range(count - 1)]
            self._workers.extend(more)
            for worker in more:
                worker.wait_ready()
        except BaseException:
            self.close()
            raise

    def _route(self, method: str, path: str, body: Any) -> list[_Worker]:
        parts = [unquote(p) for p in path.split("/") if p]
        session = None
        if isinstance(body, dict) and isinstance(body.get("session_id"), str):
            session = body["session_id"]
        elif "session" in parts[:-1]:
            session = parts[parts.index("session") + 1]
        if session is not None:  # (a root DELETE /session/{id} too: the owner holds its instances)
            return [self._workers[zlib.crc32(session.encode("utf-8")) % len(self._workers)]]
        return [self._workers[0]]

    def _message(self, method: str, path: str, body: Any, query: Mapping[str, str] | None) -> dict[str, Any]:
        return {
            "id": next(self._ids),
            "method": method,
            "path": path,
            "body": None if body is None else encode_json(body).decode("utf-8"),
            "query": encode_query(query),
        }

    def _changes_shared_state(self, path: str) -> bool:
        operation = path.rstrip("/").rsplit("/", 1)[-1]
        return len(self._workers) > 1 and operation not in READ_ONLY_OPERATIONS and "/session/" not in path

    def _flush_others(self, owner: _Worker) -> None:
        """After a management operation, the other processes must not serve stale tool lists."""
        futures = [w.submit({"id": next(self._ids), "flush": True}) for w in self._workers if w is not owner]
        for future in futures:
            future.result()

    def request(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        (worker,) = self._route(method, path, body)
        result = worker.submit(self._message(method, path, body, query)).result()
        if self._changes_shared_state(path):
            self._flush_others(worker)
        return result

    async def arequest(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        (worker,) = self._route(method, path, body)
        result = await asyncio.wrap_future(worker.submit(self._message(method, path, body, query)))
        if self._changes_shared_state(path):
            await asyncio.get_running_loop().run_in_executor(None, self._flush_others, worker)
        return result

    def close(self) -> None:
        for worker in self._workers:
            worker.close()

    async def aclose(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.close)
