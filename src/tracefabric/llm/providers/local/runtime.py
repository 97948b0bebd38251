"""The llama.cpp runtime (xllamacpp), loaded once per process and used by one caller at a time.

xllamacpp embeds llama.cpp's server. Its HTTP side is of no use to us, but it always listens:
we point it at a unix socket in a private (0700) temporary directory and give it a random
API key, so no TCP port opens and no other user can reach it. Inference goes through the
in-process call, which releases the GIL while it runs (we call it from a worker thread).
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from tracefabric import progress

MAX_DEFAULT_THREADS = 8


def default_threads() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_THREADS))


class LocalRuntime:
    def __init__(self, path: Path, *, context_size: int, threads: int) -> None:
        import xllamacpp

        self.path = path
        self.context_size = context_size
        self.threads = threads
        self._socket_dir = tempfile.mkdtemp(prefix="tracefabric-llama-")
        atexit.register(shutil.rmtree, self._socket_dir, True)
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = context_size
        params.n_parallel = 1
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.use_jinja = True  # the GGUF's own chat template (ChatML for Qwen)
        params.offline = True  # never reach for a model hub
        params.verbosity = -1
        params.ui = False
        params.n_threads_http = 1
        params.hostnames = [os.path.join(self._socket_dir, "llama.sock")]
        params.api_keys = [secrets.token_hex(16)]
        self._server = xllamacpp.Server(params)
        self._lock = threading.Lock()

    def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        """One OpenAI-style chat completion; blocks (call it from a worker thread)."""
        with self._lock:
            result = self._server.handle_chat_completions(body)
        return (
            result if isinstance(result, dict) else {"error": {"message": f"unexpected answer: {result!r}"}}
        )


_runtimes: dict[tuple[str, int, int], LocalRuntime] = {}
_load_lock = threading.Lock()


def get_runtime(path: Path, *, context_size: int, threads: int, label: str) -> LocalRuntime:
    key = (str(path), context_size, threads)
    with _load_lock:
        runtime = _runtimes.get(key)
        if runtime is None:
            with progress.step(f"loading {label} ({threads} threads, {context_size} context)"):
                runtime = _runtimes[key] = LocalRuntime(path, context_size=context_size, threads=threads)
        return runtime
