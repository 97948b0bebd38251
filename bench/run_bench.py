"""Generation-run benchmark: the real CLI path (config → records on disk), LLM behind a local
OpenAI-compatible stub of fixed latency (the real `openai` SDK and HTTP path included).

    python bench/run_bench.py                 # everything (a few minutes)
    python bench/run_bench.py --only throughput --kinds agent
    python bench/run_bench.py --only throughput --kinds basic --levels 128 --samples 1024 --workers 1 2

Prints, from this one run:
- samples/s ÷ ideal at concurrency 16 and 64 (ideal = concurrency ÷ (LLM calls per sample ×
  latency)); basic samples make 1 call, agent samples 4 (request, list_files, read_file,
  final answer; every tool call runs in the real in-process sandbox). Target >= 0.9.
  The rate is measured over the sampling phase (first sample started to last one written,
  `sampling_s` in run.json); the ratio over the whole process (imports, topics, sandbox
  start) is printed next to it.
- our process CPU per LLM request with a zero-latency stub (marginal: the difference between
  a 10,000- and a 1,000-sample run, so start-up is not counted). Target <= 2 ms.
- peak RSS at 1,000 vs 10,000 samples (target: flat, under 150 MB).
- `tracefabric --help` and `tracefabric validate` wall time (target < 1 s).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LATENCY = 0.3


class Stub:
    def __init__(self, latency: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "stub_openai.py"), "--latency", str(latency)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()

    def __enter__(self) -> Stub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(10)


def write_topics(folder: Path, count: int = 64) -> Path:
    path = folder / "topics.jsonl"
    with open(path, "w") as handle:
        for i in range(count):
            handle.write(json.dumps({"path": ["Software projects", f"Area {i // 8}", f"Task {i}"]}) + "\n")
    return path


def write_config(
    folder: Path, url: str, kind: str, samples: int, concurrency: int, workers: int | str = "auto"
) -> Path:
    config = {
        "llm": {
            "provider": "openai",
            "model": "stub-model",
            "base_url": url,
            "cache": False,
            "max_concurrency": 1024,
            "temperature": 0.7,
        },
        "topics": {"prompt": "Software projects", "depth": 2, "degree": 8},
        "generation": {"kind": kind, "instructions": "Realistic requests."},
        "output": {
            "path": str(folder / "out" / "data.jsonl"),
            "num_samples": samples,
            "concurrency": concurrency,
            "workers": workers,
        },
    }
    if kind == "agent":
        config["generation"]["tools"] = {
            "scenario_seed": {"files": {"config.json": '{"debug": true}\n', "src/app.py": "print('hi')\n"}},
            "min_tool_calls": 1,
        }
    path = folder / f"{kind}-{samples}-{concurrency}.yaml"
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


def run_cli(args: list[str]) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS KiB, stderr) of one `tracefabric` process."""
    env = {**os.environ, "OPENAI_API_KEY": "stub-key", "TRACEFABRIC_QUIET": "1"}
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "tracefabric.cli.main", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"tracefabric {' '.join(args)} failed:\n{stderr[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, stderr


def generation(
    folder: Path,
    url: str,
    kind: str,
    samples: int,
    concurrency: int,
    topics: Path,
    workers: int | str = "auto",
) -> dict:
    config = write_config(folder, url, kind, samples, concurrency, workers)
    out = folder / "out"
    for file in out.glob("*"):
        file.unlink()
    wall, cpu, rss, _ = run_cli(["generate", str(config), "--topics-load", str(topics), "--progress", "none"])
    info = json.loads((out / "data.run.json").read_text())
    assert info["records"] == samples, info
    return {
        "wall": wall,
        "cpu": cpu,
        "rss_kib": rss,
        "elapsed": info["elapsed_s"],
        "sampling": info["sampling_s"],
        "usage": info["usage"]["totals"],
    }


def throughput(
    kinds: list[str], samples: int, repeats: int, levels: list[int], workers: list[int | str]
) -> None:
    calls = {"basic": 1, "cot": 1, "agent": 4}
    with tempfile.TemporaryDirectory(prefix="tracefabric-run-bench-") as tmp, Stub(LATENCY) as stub:
        folder = Path(tmp)
        topics = write_topics(folder)
        for kind in kinds:
            generation(folder, stub.url, kind, 8, 4, topics)  # warm caches (components built, compiled)
            for concurrency, count in itertools.product(levels, workers):
                ideal = concurrency / (calls[kind] * LATENCY)
                runs = [
                    generation(folder, stub.url, kind, samples, concurrency, topics, count)
                    for _ in range(repeats)
                ]
                ratios = sorted(samples / r["sampling"] / ideal for r in runs)
                wholes = sorted(samples / r["elapsed"] / ideal for r in runs)
                median = statistics.median(ratios)
                label = "" if count == "auto" else f", workers {count}"
                print(
                    f"  {kind:6} concurrency {concurrency:3}{label}: ratio {median:.2f} "
                    f"({median * ideal:.1f} samples/s of an ideal {ideal:.1f}; runs: "
                    f"{', '.join(f'{r:.2f}' for r in ratios)}; whole process incl. start-up "
                    f"{statistics.median(wholes):.2f}; N={samples}, {LATENCY * 1000:.0f} ms/call, "
                    f"{runs[0]['usage']['requests']} LLM requests)",
                    flush=True,
                )


def cpu_and_memory(small: int, large: int) -> None:
    with tempfile.TemporaryDirectory(prefix="tracefabric-run-bench-") as tmp, Stub(0.0) as stub:
        folder = Path(tmp)
        topics = write_topics(folder)
        runs = {n: generation(folder, stub.url, "basic", n, 32, topics) for n in (small, large)}
    a, b = runs[small], runs[large]
    per_request = (b["cpu"] - a["cpu"]) / (b["usage"]["requests"] - a["usage"]["requests"])
    print(
        f"  CPU per LLM request (marginal, zero-latency stub): {per_request * 1000:.2f} ms   (target <= 2 ms)"
    )
    print(
        f"  peak RSS: {a['rss_kib'] / 1024:.0f} MB at {small:,} samples, {b['rss_kib'] / 1024:.0f} MB at "
        f"{large:,} samples   (target: flat, < 150 MB)"
    )
    print(
        f"  whole-process CPU at {large:,} samples: {b['cpu']:.1f} s ({b['cpu'] / large * 1000:.2f} ms/sample incl. start-up)"
    )


def startup() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), "http://127.0.0.1:9/v1", "basic", 100, 16)
        helps = [run_cli(["--help"])[0] for _ in range(5)]
        validates = [run_cli(["validate", str(config)])[0] for _ in range(5)]
    print(
        f"  tracefabric --help: {statistics.median(helps) * 1000:.0f} ms   validate: "
        f"{statistics.median(validates) * 1000:.0f} ms   (median of 5; target < 1 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["throughput", "cpu", "startup"], default=None)
    parser.add_argument("--kinds", nargs="+", default=["basic", "agent"])
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3, help="runs per configuration (the median is shown)")
    parser.add_argument("--levels", type=int, nargs="+", default=[16, 64], help="concurrency levels")
    parser.add_argument(
        "--workers", nargs="+", default=["auto"], help="output.workers values to compare (e.g. 1 2)"
    )
    options = parser.parse_args()
    print(f"tracefabric run benchmark ({os.cpu_count()} CPUs)")
    if options.only in (None, "startup"):
        startup()
    if options.only in (None, "throughput"):
        workers: list[int | str] = [w if w == "auto" else int(w) for w in options.workers]
        throughput(options.kinds, options.samples, options.repeats, options.levels, workers)
    if options.only in (None, "cpu"):
        cpu_and_memory(1000, options.large)


if __name__ == "__main__":
    main()
