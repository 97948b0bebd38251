"""A stub LLM server on 127.0.0.1 that speaks the OpenAI, Anthropic and Gemini wire formats.

For tests and benchmarks: it answers from a script of `Reply`s, else with a minimal value
that fits the schema in the request (so structured calls validate), else "ok". Every request
is recorded. It can demand an API key, add latency, and fail on cue (429 + Retry-After, 500,
401, slow answers for timeouts).

    with StubServer(latency=0.2) as stub:
        LLMConfig(provider="openai", base_url=stub.openai_url, ...)

Run alone (the benchmark does, so its CPU is not counted in the client's):
    python -m tracefabric.llm.testing --latency 0.2
prints the base URL on the first line, then serves until stdin closes or it is killed.
"""

from __future__ import annotations

import asyncio
import gc
import json
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .examples import example_for

GEMINI_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    529: "overloaded_error",
}


@dataclass
class Reply:
    """One scripted answer. `content` None: a value generated from the request's schema."""

    content: Any = None
    status: int = 200
    message: str = "stub error"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    finish_reason: str | None = None
    error_body: dict[str, Any] | None = None  # an error answer's exact JSON body


@dataclass
class Recorded:
    api: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class StubState:
    def __init__(self, latency: float = 0.0, api_key: str | None = None, *, record: bool = True) -> None:
        self.latency = latency
        self.api_key = api_key
        self.record = record  # off for benchmarks: a growing log slows the server down
        self.script: deque[Reply] = deque()
        # When the script is empty: content computed from the request body (None: from the schema).
        self.responder: Any = None
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()

    def next_reply(self) -> Reply:
        with self.lock:
            return self.script.popleft() if self.script else Reply()


def _text_of(content: Any) -> str:
    return content if isinstance(content, str) else json.dumps(content)


def _count(value: Any) -> int:
    return max(1, len(json.dumps(value)) // 4)


def build_app(state: StubState) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def authorized(request: Request) -> bool:
        if state.api_key is None:
            return True
        offered = {
            request.headers.get("authorization", "").removeprefix("Bearer ").strip(),
            request.headers.get("x-api-key", ""),
            request.headers.get("x-goog-api-key", ""),
            request.query_params.get("key", ""),
        }
        return state.api_key in offered

    async def receive(request: Request, api: str) -> tuple[dict[str, Any], Reply]:
        body = await request.json()
        if state.record:
            state.requests.append(Recorded(api, request.url.path, dict(request.headers), body))
        reply = state.next_reply() if authorized(request) else Reply(status=401, message="invalid api key")
        if state.latency or reply.delay:
            await asyncio.sleep(state.latency + reply.delay)
        return body, reply

    async def openai_chat(request: Request) -> JSONResponse:
        body, reply = await receive(request, "openai")
        if reply.status >= 400:
            error = {"message": reply.message, "type": "stub_error", "param": None, "code": None}
            return JSONResponse(reply.error_body or {"error": error}, reply.status, headers=reply.headers)
        content = reply.content
        if content is None and state.responder is not None:
            content = state.responder(body)
        if content is None:
            fmt = body.get("response_format") or {}
            if fmt.get("type") == "json_schema":
                content = example_for(fmt["json_schema"]["schema"])
            else:
                content = {} if fmt.get("type") == "json_object" else "ok"
        text = _text_of(content)
        return JSONResponse(
            {
                "id": "chatcmpl-stub",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "stub"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": reply.finish_reason or "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": _count(body.get("messages")),
                    "completion_tokens": _count(text),
                    "total_tokens": _count(body.get("messages")) + _count(text),
                },
            },
            headers=reply.headers,
        )

    async def anthropic_messages(request: Request) -> JSONResponse:
        body, reply = await receive(request, "anthropic")
        if reply.status >= 400:
            kind = ANTHROPIC_TYPES.get(reply.status, "api_error")
            return JSONResponse(
                reply.error_body or {"type": "error", "error": {"type": kind, "message": reply.message}},
                reply.status,
                headers=reply.headers,
            )
        tools = body.get("tools") or []
        content = reply.content
        if tools and not isinstance(content, str):
            value = example_for(tools[0]["input_schema"]) if content is None else content
            block = {"type": "tool_use", "id": "toolu_stub", "name": tools[0]["name"], "input": value}
            stop = "tool_use"
        else:
            block = {"type": "text", "text": "ok" if content is None else _text_of(content)}
            stop = "end_turn"
        return JSONResponse(
            {
                "id": "msg_stub",
                "type": "message",
                "role": "assistant",
                "model": body.get("model", "stub"),
                "content": [block],
                "stop_reason": reply.finish_reason or stop,
                "stop_sequence": None,
                "usage": {"input_tokens": _count(body.get("messages")), "output_tokens": _count(block)},
            },
            headers=reply.headers,
        )

    async def gemini_generate(request: Request) -> JSONResponse:
        body, reply = await receive(request, "gemini")
        if reply.status >= 400:
            error = {
                "code": reply.status,
                "message": reply.message,
                "status": GEMINI_STATUS.get(reply.status, "UNKNOWN"),
            }
            return JSONResponse(reply.error_body or {"error": error}, reply.status, headers=reply.headers)
        config = body.get("generationConfig") or {}
        content = reply.content
        if content is None:
            schema = config.get("responseJsonSchema")
            content = example_for(schema) if schema is not None else "ok"
        text = _text_of(content)
        return JSONResponse(
            {
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": text}]},
                        "finishReason": reply.finish_reason or "STOP",
                        "index": 0,
                    }
                ],
                "usageMetadata": {
                    "promptTokenCount": _count(body.get("contents")),
                    "candidatesTokenCount": _count(text),
                    "totalTokenCount": _count(body.get("contents")) + _count(text),
                },
                "modelVersion": "stub",
            },
            headers=reply.headers,
        )

    return Starlette(
        routes=[
            Route("/v1/chat/completions", openai_chat, methods=["POST"]),
            Route("/v1/messages", anthropic_messages, methods=["POST"]),
            Route("/{version}/models/{target:path}", gemini_generate, methods=["POST"]),
        ]
    )


class StubServer:
    """The stub in a background thread of this process (for tests)."""

    def __init__(self, *, latency: float = 0.0, api_key: str | None = None, port: int = 0) -> None:
        """`port` 0 picks a free one; a given port lets a test bring a stopped server back."""
        self.state = StubState(latency=latency, api_key=api_key)
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def requests(self) -> list[Recorded]:
        return self.state.requests

    def script(self, *replies: Reply) -> None:
        with self.state.lock:
            self.state.script.extend(replies)

    def start(self) -> StubServer:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(build_app(self.state), log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the stub LLM server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="Stub LLM server (OpenAI, Anthropic, Gemini wire formats).")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    args = parser.parse_args(argv)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(2048)  # listening before the URL is printed: clients may connect at once
    state = StubState(latency=args.latency, record=False)
    config = uvicorn.Config(
        build_app(state), log_level="warning", access_log=False, lifespan="off", backlog=2048
    )
    server = uvicorn.Server(config)

    def watch_stdin() -> None:
        sys.stdin.read()  # returns when the parent closes our stdin (or exits)
        server.should_exit = True

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    gc.collect()
    gc.freeze()  # no long collection pauses while serving a benchmark
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
