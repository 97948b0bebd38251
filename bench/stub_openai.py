"""An OpenAI-compatible chat-completions stub with fixed latency, for the run benchmarks.

Runs in its own process (so its CPU is not counted in the generator's) and varies its
answers with the prompt so the run's quality gates pass:

- basic/cot samples: a question unique to the prompt;
- agent samples: a user request, then list_files → read_file → final answer, decided from
  how many tool results the conversation already holds.

    python bench/stub_openai.py --latency 0.3      # prints its base URL, serves until killed
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import time


def _answer(body: dict, raw: bytes) -> dict:
    messages = body.get("messages", [])
    schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("schema") or {}
    props = schema.get("properties", {})
    # The raw body identifies the prompt (hashing it is cheaper than re-serialising messages):
    # the stub plays a remote server, so its own CPU should stay out of the way.
    tag = hashlib.blake2b(raw, digest_size=6).hexdigest()
    if "question" in props:
        answer = {
            "question": f"How should I handle case {tag} in this topic?",
            "answer": f"Like this ({tag}).",
        }
        if "reasoning" in props:
            answer["reasoning"] = "Think it through step by step."
        return answer
    if "request" in props:
        return {"request": f"Please check config.json and tell me whether debug is on ({tag})."}
    if "thought" in props:
        done = sum(
            1
            for m in messages
            if m.get("role") == "user" and str(m.get("content", "")).startswith("Tool results")
        )
        if done == 0:
            return {
                "thought": "List the files first.",
                "action": {"tool_calls": [{"name": "list_files", "arguments": {}}]},
            }
        if done == 1:
            return {
                "thought": "Read the config.",
                "action": {"tool_calls": [{"name": "read_file", "arguments": {"file_path": "config.json"}}]},
            }
        return {"thought": "I have what I need.", "action": {"final_answer": "Debug is on in config.json."}}
    return {key: "x" for key in props}


def _completion(raw: bytes) -> bytes:
    body = json.loads(raw)
    content = json.dumps(_answer(body, raw))
    payload = {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "stub"),
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 200, "completion_tokens": 40, "total_tokens": 240},
    }
    return json.dumps(payload).encode()


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, latency: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            raw = await reader.readexactly(length) if length else b"{}"
            if latency:
                await asyncio.sleep(latency)
            data = _completion(raw)
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                + str(len(data)).encode()
                + b"\r\n\r\n"
                + data
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(latency: float) -> None:
    server = await asyncio.start_server(lambda r, w: _handle(r, w, latency), "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}/v1", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=0.3)
    options = parser.parse_args()
    try:
        asyncio.run(serve(options.latency))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
