"""In-process sandbox benchmark: warm call latency, new-session cold start, throughput, memory.

    python bench/sandbox_bench.py [--calls 3000]

Everything is measured in this one run (the machine is shared and noisy), on the built-in
VFS component (a Python component built with componentize-py). Targets (issue #2):
warm p50 <= 0.5 ms, cold start <= 3 ms.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tracefabric.sandbox.host import SandboxHost


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss_kib() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--sessions", type=int, default=200, help="fresh sessions for the cold-start figure")
    options = parser.parse_args()
    data = tempfile.mkdtemp(prefix="tracefabric-bench-")
    host = SandboxHost(data_dir=data, pool_size=2)
    execute = host.execute
    read = {"file_path": "notes.txt"}
    execute("vfs", "write_file", {"file_path": "notes.txt", "content": "hello " * 20}, "warm")

    # Warm calls: one session, its instance reused.
    for _ in range(200):
        execute("vfs", "read_file", read, "warm")
    warm = [timed(execute, "vfs", "read_file", read, "warm") for _ in range(options.calls)]

    # Cold start: the first call of a brand-new session. With `pool_size` the session takes a
    # pre-instantiated, warmed instance; we pace sessions so the pool keeps up (sessions that
    # start seconds apart, between LLM calls).
    time.sleep(0.2)
    pooled = []
    for i in range(options.sessions):
        pooled.append(timed(execute, "vfs", "read_file", read, f"pooled-{i}"))
        host.end_session(f"pooled-{i}")
        time.sleep(0.01)
    runtime = host.runtime("vfs")
    hits, misses = runtime.pool_hits, runtime.pool_misses
    # The default (no pool): instantiate + first call on the caller's thread.
    raw_host = SandboxHost(data_dir=data, pool_size=0)
    raw_host.execute("vfs", "read_file", read, "prime")
    raw = []
    for i in range(min(100, options.sessions)):
        raw.append(timed(raw_host.execute, "vfs", "read_file", read, f"raw-{i}"))
        raw_host.end_session(f"raw-{i}")

    # Throughput: 8 threads, each with its own session.
    for t in range(8):
        execute("vfs", "write_file", {"file_path": "notes.txt", "content": "x"}, f"t{t}")
    per_thread = max(200, options.calls // 4)
    barrier = threading.Barrier(8)

    def worker(t: int) -> None:
        barrier.wait()
        for _ in range(per_thread):
            execute("vfs", "read_file", read, f"t{t}")

    start = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(worker, range(8)))
    elapsed = time.perf_counter() - start
    throughput = 8 * per_thread / elapsed
    single = 1000 / statistics.median(warm)

    # The same load through the process transport: two child processes, sessions sharded.
    from tracefabric.sandbox import Sandbox

    with Sandbox.subprocess(data_dir=data, processes=2) as sharded:
        for t in range(8):
            sharded.call("vfs", "write_file", {"file_path": "notes.txt", "content": "x"}, f"p{t}")
        barrier2 = threading.Barrier(8)

        def sharded_worker(t: int) -> None:
            barrier2.wait()
            for _ in range(per_thread):
                sharded.call("vfs", "read_file", read, f"p{t}")

        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(sharded_worker, range(8)))
        sharded_throughput = 8 * per_thread / (time.perf_counter() - start)

    # Memory: RSS growth per live session instance.
    gc.collect()
    before = rss_kib()
    live = 100
    for i in range(live):
        raw_host.execute("vfs", "read_file", read, f"live-{i}")
    gc.collect()
    per_instance_kib = (rss_kib() - before) / live

    print(f"tracefabric sandbox benchmark (VFS component, {os.cpu_count()} CPUs)")
    print(
        f"  warm call read_file        p50 {percentile(warm, 0.5):.3f} ms   p99 {percentile(warm, 0.99):.3f} ms"
        f"   (target p50 <= 0.5 ms)"
    )
    print(
        f"  new-session first call     p50 {percentile(raw, 0.5):.3f} ms   p99 {percentile(raw, 0.99):.3f} ms"
        f"   (default: instantiate + first call; target <= 3 ms)"
    )
    print(
        f"  ... with pool_size=2       p50 {percentile(pooled, 0.5):.3f} ms   p99 {percentile(pooled, 0.99):.3f} ms"
        f"   (a pre-warmed instance; pool hits {hits}, misses {misses})"
    )
    print(
        f"  throughput, 8 threads      {throughput:,.0f} calls/s   ({throughput / single:.2f}x one thread's "
        f"{single:,.0f} calls/s)"
    )
    print(
        f"  ... process transport      {sharded_throughput:,.0f} calls/s   (8 threads, 2 child processes: "
        f"guests don't share the caller's interpreter lock)"
    )
    print(f"  RSS per live instance      {per_instance_kib / 1024:.2f} MiB   ({live} sessions)")
    host.close()
    raw_host.close()


if __name__ == "__main__":
    main()
