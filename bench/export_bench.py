"""Export, split and stats at scale: synthetic agent records (made here), streamed through
`tracefabric stats` and `tracefabric export --format hf` (and `split`) in child processes.

Prints records/s and the child's peak RSS for each, at N and at N/10 records (RSS flat in
the dataset's size is the claim). Goals (issue #17): stats >= 20k records/s, hf export >= 5k
records/s, RSS <= 300 MB.

    python bench/export_bench.py            # 100k records
    python bench/export_bench.py --records 20000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": name,
            "description": f"{name.replace('_', ' ').capitalize()} in the workspace. " + "Details. " * 8,
            "parameters": {
                "type": "object",
                "properties": {
                    "file_path": {
                        "type": "string",
                        "description": "Path of the file, relative to the workspace root",
                    },
                    "content": {"type": "string", "description": "The content"},
                },
                "required": ["file_path"],
            },
        },
    }
    for name in (
        "read_file",
        "write_file",
        "append_file",
        "list_files",
        "delete_file",
        "file_exists",
        "make_dir",
        "search_files",
        "stat",
    )
]


def agent_record(i: int, rng: random.Random) -> dict:
    """A record shaped like a real agent sample: ~7 KB, 2-4 tool steps, a trace."""
    topic = rng.randrange(2000)
    messages = [
        {
            "role": "system",
            "content": "You are a careful coding assistant working in the user's project folder.",
        },
        {
            "role": "user",
            "content": f"Request {i}: check the configuration of project {topic} and fix the debug flag.",
        },
    ]
    calls, errors = [], []
    for step in range(rng.randint(2, 4)):
        name = rng.choice(["read_file", "list_files", "write_file", "file_exists"])
        call_id = f"c{i}x{step}"
        args = {"file_path": f"src/module_{step}.py"}
        messages.append(
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": name, "arguments": json.dumps(args)},
                    }
                ],
            }
        )
        ok = rng.random() > 0.2
        result = "def main():\n    return 42\n" * 6 if ok else "Error (FileNotFound): File not found"
        messages.append({"role": "tool", "tool_call_id": call_id, "content": result})
        if not ok:
            errors.append("FileNotFound")
        calls.append(
            {
                "call_id": call_id,
                "step": step,
                "component": "vfs",
                "tool": name,
                "request": {"tool": name, "args": args},
                "response": {"success": ok, "result": result, "error_type": None if ok else "FileNotFound"},
                "duration_ms": 0.4,
                "state_digest": f"{rng.getrandbits(64):016x}",
                "executed": True,
            }
        )
    messages.append({"role": "assistant", "content": f"Done: the debug flag of project {topic} is now off."})
    steps = len(calls)
    return {
        "messages": messages,
        "tools": TOOLS,
        "reasoning": [
            {"step": n + 1, "thought": f"Step {n + 1}: look at the file.", "action": "read_file(...)"}
            for n in range(steps)
        ]
        + [{"step": steps + 1, "thought": "", "action": "final_answer"}],
        "metadata": {
            "sample_id": f"{i:016x}",
            "slot": f"t{topic}:0",
            "topic_id": f"t{topic}",
            "topic_path": ["root", f"topic {topic}"],
            "kind": "agent",
            "provider": "openai",
            "model": "gpt-4o-mini",
            "seed": 0,
            "cycle": 0,
            "attempt": 0,
            "steps": steps,
            "tool_calls": steps,
            "errors_seen": errors,
            "injected_faults": [],
            "invalid_arguments": 0,
        },
        "trace": {"session_id": f"s{i}", "namespace": None, "endpoint": None, "calls": calls},
    }


def write_dataset(path: Path, count: int) -> None:
    rng = random.Random(0)
    with open(path, "w") as handle:
        for i in range(count):
            handle.write(json.dumps(agent_record(i, rng), separators=(",", ":")) + "\n")


def measure(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MB) of `tracefabric ARGS` in a child process,
    from the command's start (imports included) to its end. CPU time is what a shared machine
    distorts least: records per CPU-second is what an idle core would give."""
    code = (
        "import resource, sys, time; from tracefabric.cli.main import main; sys.argv = ['tracefabric', *sys.argv[1:]];"
        "t = time.perf_counter(); c = time.process_time()\ntry:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print(time.perf_counter() - t, time.process_time() - c,"
        " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)"
    )
    run = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    seconds, cpu, rss = run.stderr.strip().splitlines()[-1].split()
    return float(seconds), float(cpu), int(rss)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    options = parser.parse_args()
    env_note = f"python {sys.version.split()[0]}, {os.cpu_count()} cores"
    with tempfile.TemporaryDirectory(prefix="tracefabric-export-bench-") as tmp:
        folder = Path(tmp)
        rows = []
        for count in (options.records // 10, options.records):
            data = folder / f"d{count}.jsonl"
            started = time.perf_counter()
            write_dataset(data, count)
            size_mb = data.stat().st_size / 1e6
            print(
                f"{count:,} synthetic agent records, {size_mb:,.0f} MB ({time.perf_counter() - started:.0f}s to make)",
                flush=True,
            )
            for name, args in (
                ("stats", ["stats", str(data), "--json"]),
                ("export hf", ["export", str(data), "-f", "hf", "-o", str(folder / f"hf{count}")]),
                ("split", ["split", str(data), "-o", str(folder / f"s{count}")]),
            ):
                seconds, cpu, rss = measure(args)
                rows.append((name, count, count / seconds, rss))
                print(
                    f"  {name:10s} {count / seconds:>9,.0f} records/s, {count / cpu:>9,.0f} per CPU-second"
                    f"   peak RSS {rss:>4} MB",
                    flush=True,
                )
        load = os.getloadavg()[0]
        print(f"\n({env_note}, load average {load:.1f}; RSS includes the interpreter and its imports)")
        by = {(name, count): (rate, rss) for name, count, rate, rss in rows}
        small, large = options.records // 10, options.records
        for name in ("stats", "export hf", "split"):
            print(
                f"{name:10s} RSS at {large:,} / at {small:,}: {by[(name, large)][1] / by[(name, small)][1]:.2f}"
            )


if __name__ == "__main__":
    main()
