"""The trace viewer at scale: synthetic agent records (export_bench's), indexed and served by
`tracefabric view` in child processes, queried over HTTP on 127.0.0.1.

Prints the index build time (and records/s), reopening an unchanged index, indexing an
appended tail, the p50/p95 latency of filtered list pages and of single records as a client
on this machine sees them (an upper bound on the server-side time), and peak RSS of the
build and of the server. Goals (issue #19) at 100k records: build <= 15 s, list with a
filter p95 <= 100 ms, one record p95 <= 50 ms, peak RSS <= 300 MB.

    python bench/viewer_bench.py                 # 100k records
    python bench/viewer_bench.py --records 20000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from export_bench import agent_record, write_dataset
from tracefabric.topics import topic_id_for

BUILD = """
import resource, sys, time
from pathlib import Path
from tracefabric.viewer.index.location import index_location
from tracefabric.viewer.index.records import RecordIndex
path = Path(sys.argv[1])
started = time.perf_counter()
index = RecordIndex({"train": path}, index_location(path), name=str(path))
what = index.open()
print(what, time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, index.count())
"""


def build(path: Path) -> tuple[str, float, int, int, int]:
    """(what happened, seconds, peak RSS MB of the process and of its largest worker, records)
    of opening the index in a child process."""
    run = subprocess.run([sys.executable, "-c", BUILD, str(path)], capture_output=True, text=True, check=True)
    what, seconds, rss, workers, count = run.stdout.split()
    return what, float(seconds), int(rss), int(workers), int(count)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def serve(path: Path) -> tuple[subprocess.Popen[str], str, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tracefabric.cli.main", "view", str(path), "--no-open", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.match(r"(http://127\.0\.0\.1:\d+)\S*\?token=(\S+)", line)
    if not match:
        process.kill()
        raise SystemExit(f"the viewer did not start: {line!r}")
    return process, match.group(1), match.group(2)


def peak_rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def timed(client: httpx.Client, path: str, params: dict[str, object] | None = None) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed * 1000, response.json()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per query kind")
    options = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory(prefix="tracefabric-viewer-bench-") as tmp:
        data = Path(tmp) / "data.jsonl"
        started = time.perf_counter()
        write_dataset(data, options.records)
        size = data.stat().st_size / 1e6
        print(
            f"{options.records:,} synthetic agent records, {size:,.0f} MB ({time.perf_counter() - started:.0f} s to make)"
        )

        what, seconds, rss, workers, count = build(data)
        assert what == "built" and count == options.records, (what, count)
        print(
            f"index build      {seconds:6.1f} s   {count / seconds:8,.0f} records/s   "
            f"peak RSS {rss} MB (each of {os.cpu_count()} worker processes: <= {workers} MB)"
        )
        what, seconds, _, _, _ = build(data)
        print(f"reopen unchanged {seconds * 1000:6.0f} ms  ({what})")
        tail = 1000
        with open(data, "a") as handle:
            for i in range(options.records, options.records + tail):
                handle.write(json.dumps(agent_record(i, rng), separators=(",", ":")) + "\n")
        what, seconds, _, _, count = build(data)
        print(f"appended tail    {seconds:6.2f} s for {tail:,} records ({what}, {count:,} in all)")

        process, base, token = serve(data)
        try:
            with httpx.Client(
                base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=60
            ) as client:
                facets = client.get("/api/s/data/facets").json()["facets"]
                topic = topic_id_for(["root", "topic 7"])  # export_bench's topic paths
                queries = {
                    "no filter": {},
                    "error=FileNotFound": {"error": "FileNotFound"},
                    "tool+error": {"tool": "write_file", "error": "FileNotFound"},
                    "kind+gate+sort": {"kind": "agent", "gate": "accepted", "sort": "-steps"},
                    "search": {"q": "debug flag"},
                    "search+error": {"q": "project", "error": "FileNotFound"},
                }
                assert "FileNotFound" in facets["error"]
                print(
                    f"\nlist pages of 50 over {count:,} records: a filter's first page, then {options.requests} random pages (ms):"
                )
                for name, params in queries.items():
                    cold, _ = timed(
                        client, "/api/s/data/records", params
                    )  # the query itself; pages then come from memory
                    samples = []
                    for _ in range(options.requests):
                        offset = rng.randrange(0, 2000) * 50 % max(1, count - 50)
                        ms, page = timed(client, "/api/s/data/records", {**params, "offset": offset})
                        samples.append(ms)
                    p50, p95 = percentiles(samples)
                    print(
                        f"  {name:20s} first {cold:6.1f}  then p50 {p50:5.1f}  p95 {p95:5.1f}   ({page['total']:,} match)"
                    )
                samples = []
                for _ in range(options.requests):
                    ms, _ = timed(
                        client,
                        f"/api/s/data/records/{rng.randrange(1, count + 1)}",
                        {"error": "FileNotFound"},
                    )
                    samples.append(ms)
                p50, p95 = percentiles(samples)
                print(
                    f"one record (view, raw, neighbours in a filtered list): p50 {p50:.1f} ms, p95 {p95:.1f} ms"
                )
                ms, _ = timed(client, "/api/s/data/overview")
                topic_ms, page = timed(client, "/api/s/data/records", {"topic": topic})
                print(f"overview {ms:.0f} ms; a topic's records {topic_ms:.0f} ms ({page['total']} match)")
            print(f"server peak RSS {peak_rss_mb(process.pid)} MB")
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"\n(python {sys.version.split()[0]}, {os.cpu_count()} cores; client and server share them)")


if __name__ == "__main__":
    main()
