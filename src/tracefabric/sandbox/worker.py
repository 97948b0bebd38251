"""The sandbox in a child process: the host's router served over stdin/stdout, one JSON per line.

    python -m tracefabric.sandbox.worker '{"manifest": null, "data_dir": "...", ...}'

Started by `ProcessTransport`. Requests are `{"id", "method", "path", "body", "query"}`,
answers `{"id", "status", "body"}`; they may complete out of order. `{"id", "flush": true}`
drops cached tool lists (another worker process changed shared state). The first line written
is `{"ready": true}` (or `{"error": "..."}` when the manifest or a component is unusable).
Anything else the process prints goes to stderr, so the protocol stream stays clean.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO


def _serve(config: dict[str, Any], out: BinaryIO) -> None:
    from tracefabric.errors import TracefabricError
    from tracefabric.sandbox.api.router import Router, encode_response
    from tracefabric.sandbox.host import SandboxHost

    write_lock = threading.Lock()

    def send(message: dict[str, Any]) -> None:
        line = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        with write_lock:
            out.write(line)
            out.flush()

    try:
        host = SandboxHost(
            config.get("manifest"),
            data_dir=config.get("data_dir"),
            enable=config.get("enable") or (),
            variables=config.get("variables") or None,
            pool_size=int(config.get("pool_size", 0)),
        )
        preload = config.get("preload")
        for name in host.component_names() if preload is None else preload:
            host.runtime(name)  # build, compile and load now: errors surface at start-up
    except TracefabricError as exc:
        send({"error": str(exc), "error_type": type(exc).__name__})
        return
    router = Router(host)
    send({"ready": True})

    def handle(message: dict[str, Any]) -> None:
        if message.get("flush"):
            host.forget_tool_lists()  # a sibling process changed shared state (e.g. mock tools)
            send({"id": message["id"], "status": 200, "body": "{}"})
            return
        try:
            body = message.get("body")
            raw = None if body is None else body.encode("utf-8")
            status, payload = encode_response(
                *router.handle(message["method"], message["path"], raw, message.get("query") or {})
            )
            send({"id": message["id"], "status": status, "body": payload.decode("utf-8")})
        except Exception as exc:  # never leave the caller waiting
            error = {"success": False, "result": str(exc), "error": str(exc), "error_type": "InternalError"}
            send({"id": message.get("id"), "status": 500, "body": json.dumps(error)})

    # A few threads: one slow or runaway call (stopped by its own deadline) doesn't hold up the rest.
    with ThreadPoolExecutor(int(config.get("workers", 4)), thread_name_prefix="tracefabric-worker") as pool:
        for line in sys.stdin.buffer:
            if line.strip():
                pool.submit(handle, json.loads(line))
    host.close()


def main() -> None:
    config = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    # Keep the protocol on the real stdout; anything printed by libraries goes to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr
    _serve(config, out)


if __name__ == "__main__":
    main()
