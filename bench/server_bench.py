"""Tool server benchmark: HTTP call latency (p50/p99, keep-alive) and throughput with 32 clients;
with --memory, the server's memory with many sessions, with and without the instance limit.

    python bench/server_bench.py [--seconds 10] [--clients 32] [--generator auto|python]
    python bench/server_bench.py --memory [--sessions 64] [--limit 16]

Starts `tracefabric serve` in its own process, seeds one file, and drives `read_file`
calls at it. The load generator is `wrk` when it is on the PATH (a separate C process, so
the generator doesn't share the server's interpreter; `apt-get install wrk` to use it: this
benchmark installs nothing), else a Python raw-socket client in another process. The
in-process cost of the same call is measured in this run too, so the HTTP overhead shows as
a ratio. Targets (2 cores): p50 <= 2 ms, >= 1,000 calls/s.

--memory starts the server twice (no instance limit, then `--max-instances LIMIT`), opens
SESSIONS sessions that each write and read a 256 kB file, and reports the server's resident
memory (Linux /proc) before and after, and per session.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

SESSION = "bench"
FILE = "bench.txt"
CONTENT = "line of benchmark text\n" * 40  # ~1 KB
P50_TARGET_MS = 2.0
RATE_TARGET = 1000.0

LUA = """
wrk.method = "POST"
wrk.body = [[{body}]]
wrk.headers["Content-Type"] = "application/json"
"""

# The fallback load generator: raw keep-alive sockets, one thread per client.
CLIENT = textwrap.dedent(
    """
    import json, socket, sys, threading, time
    host, port, clients, seconds, body = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    request = (f"POST /vfs/execute HTTP/1.1\\r\\nHost: {host}:{port}\\r\\nContent-Type: application/json\\r\\n"
               f"Content-Length: {len(body.encode())}\\r\\n\\r\\n{body}").encode()
    latencies, errors = [], [0]
    stop = time.perf_counter() + seconds
    def run():
        sock = socket.create_connection((host, port))
        buf = b""
        while time.perf_counter() < stop:
            t = time.perf_counter()
            sock.sendall(request)
            while b"\\r\\n\\r\\n" not in buf:
                buf += sock.recv(65536)
            head, _, buf = buf.partition(b"\\r\\n\\r\\n")
            length = int([l for l in head.split(b"\\r\\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
            while len(buf) < length:
                buf += sock.recv(65536)
            buf = buf[length:]
            latencies.append(time.perf_counter() - t)
            if not head.startswith(b"HTTP/1.1 200"):
                errors[0] += 1
    threads = [threading.Thread(target=run) for _ in range(clients)]
    start = time.perf_counter()
    [t.start() for t in threads]
    [t.join() for t in threads]
    elapsed = time.perf_counter() - start
    latencies.sort()
    print(json.dumps({"requests": len(latencies), "errors": errors[0], "rate": len(latencies) / elapsed,
                      "p50_ms": latencies[len(latencies) // 2] * 1000,
                      "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000}))
    """
)


def find_wrk() -> str | None:
    found = shutil.which("wrk")
    if found is None:
        print("wrk is not installed (apt-get install wrk): using the Python load generator", flush=True)
    return found


def start_server(data_dir: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if k != "TRACEFABRIC_SERVER_TOKEN"}
    command = [
        sys.executable,
        "-m",
        "tracefabric.cli.main",
        "serve",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
    ]
    process = subprocess.Popen(
        [*command, *options],
        stdout=subprocess.PIPE,
        text=True,
        env={**env, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"on (http://[\d.]+:\d+)", line)
    if not match:
        process.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    print(line.strip())
    return process, match.group(1)


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(wrk: str, url: str, body: str, threads: int, clients: int, seconds: float) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(body=body))
    try:
        out = subprocess.run(
            [
                wrk,
                f"-t{threads}",
                f"-c{clients}",
                f"-d{seconds:g}s",
                "--latency",
                "-s",
                script.name,
                f"{url}/vfs/execute",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    percentiles = {int(p): _ms(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)$", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        print(f"  wrk socket errors: {socket_errors.group(1)}")
    return {
        "p50_ms": percentiles[50],
        "p99_ms": percentiles[99],
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": float(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "errors": float(errors.group(1)) if errors else 0.0,
    }


def run_python_client(url: str, body: str, clients: int, seconds: float) -> dict[str, float]:
    host, port = url.removeprefix("http://").split(":")
    out = subprocess.run(
        [sys.executable, "-c", CLIENT, host, port, str(clients), str(seconds), body],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def in_process_per_call_ms(data_dir: Path, body: bytes, calls: int = 3000) -> float:
    """The same call through the same router, without HTTP: median of single calls."""
    from tracefabric.sandbox.api.router import Router
    from tracefabric.sandbox.host import SandboxHost

    with SandboxHost(data_dir=data_dir, pool_size=0) as host:
        router = Router(host)
        seed = {"session_id": SESSION, "tool": "write_file", "args": {"file_path": FILE, "content": CONTENT}}
        router.handle("POST", "/vfs/execute", json.dumps(seed).encode())
        for _ in range(200):
            router.handle("POST", "/vfs/execute", body)
        timings = []
        for _ in range(calls):
            start = time.perf_counter()
            router.handle("POST", "/vfs/execute", body)
            timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS in /proc: --memory needs Linux")


def sessions_rss(sessions: int, max_instances: int) -> tuple[float, float, int]:
    """Server RSS (MB) before and after `sessions` sessions each wrote and read a file; and
    how many instances were live at the end (the server's own count is not exposed: the
    figure is min(sessions, limit))."""
    import httpx

    content = "memory benchmark line\n" * 12_000  # ~256 kB
    with tempfile.TemporaryDirectory(prefix="tracefabric-bench-") as tmp:
        process, url = start_server(
            Path(tmp),
            "--max-instances",
            str(max_instances),
            "--max-session-bytes",
            "0",
            "--max-store-bytes",
            "0",
        )
        try:
            with httpx.Client(base_url=url, trust_env=False, timeout=120) as http:
                first = {"session_id": "warm", "tool": "list_files", "args": {}}
                assert http.post("/vfs/execute", json=first).json()["success"]
                time.sleep(0.5)
                before = rss_mb(process.pid)
                for n in range(sessions):
                    write = {"file_path": "big.txt", "content": content}
                    for tool, args in (("write_file", write), ("read_file", {"file_path": "big.txt"})):
                        answer = http.post(
                            "/vfs/execute", json={"session_id": f"m{n}", "tool": tool, "args": args}
                        )
                        assert answer.json()["success"], answer.text
                time.sleep(0.5)
                after = rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(60)
    live = sessions + 1 if max_instances == 0 else min(sessions + 1, max_instances)
    return before, after, live


def memory_benchmark(sessions: int, limit: int) -> None:
    print(f"{sessions} sessions, each writing and reading a 256 kB file through the VFS component")
    rows = []
    for label, max_instances in (("no instance limit", 0), (f"--max-instances {limit}", limit)):
        before, after, live = sessions_rss(sessions, max_instances)
        rows.append((label, before, after, live))
    print()
    for label, before, after, live in rows:
        growth = after - before
        print(
            f"{label:<22} RSS {before:7.0f} MB -> {after:7.0f} MB  (+{growth:.0f} MB, "
            f"{growth / sessions:.1f} MB per session, {live} live instances)"
        )
    unlimited, limited = rows[0][2] - rows[0][1], rows[1][2] - rows[1][1]
    print(f"growth with the limit / without: {limited / unlimited:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="Length of each load run.")
    parser.add_argument("--clients", type=int, default=32, help="Concurrent keep-alive clients.")
    parser.add_argument(
        "--generator",
        choices=["auto", "python"],
        default="auto",
        help="Load generator (auto: wrk if available).",
    )
    parser.add_argument("--memory", action="store_true", help="Measure memory with many sessions instead.")
    parser.add_argument("--sessions", type=int, default=64, help="Sessions opened by --memory.")
    parser.add_argument("--limit", type=int, default=16, help="--max-instances of the limited run.")
    options = parser.parse_args()

    body = json.dumps({"session_id": SESSION, "tool": "read_file", "args": {"file_path": FILE}})
    if options.memory:
        memory_benchmark(options.sessions, options.limit)
        return
    wrk = find_wrk() if options.generator == "auto" else None
    with tempfile.TemporaryDirectory(prefix="tracefabric-bench-") as tmp:
        inproc_ms = in_process_per_call_ms(Path(tmp) / "inproc", body.encode())
        process, url = start_server(Path(tmp) / "served")
        try:
            import httpx

            seed = {
                "session_id": SESSION,
                "tool": "write_file",
                "args": {"file_path": FILE, "content": CONTENT},
            }
            with httpx.Client(base_url=url, trust_env=False) as http:
                assert http.post("/vfs/execute", json=seed).json()["success"]
                check = http.post(
                    "/vfs/execute", content=body, headers={"content-type": "application/json"}
                ).json()
                assert check["success"] and check["result"] == CONTENT, check
            generator = "wrk (separate process)" if wrk else "Python raw-socket client (separate process)"
            print(
                f"load generator: {generator}; call: read_file of {len(CONTENT)} bytes; {options.seconds:g} s per run"
            )
            if wrk:
                run_wrk(wrk, url, body, 1, 4, 2)  # warm-up
                single = run_wrk(wrk, url, body, 1, 1, options.seconds)
                many = run_wrk(wrk, url, body, 2, options.clients, options.seconds)
            else:
                run_python_client(url, body, 4, 2)
                single = run_python_client(url, body, 1, options.seconds)
                many = run_python_client(url, body, options.clients, options.seconds)
        finally:
            process.terminate()
            process.wait(60)

    def verdict(ok: bool) -> str:
        return "meets target" if ok else "MISSES target"

    print()
    print(f"in-process call (router, no HTTP):  {inproc_ms:.3f} ms per call")
    print(
        f"HTTP, 1 keep-alive client:         p50 {single['p50_ms']:.2f} ms, p99 {single['p99_ms']:.2f} ms, "
        f"{single['rate']:.0f} calls/s  [p50 {verdict(single['p50_ms'] <= P50_TARGET_MS)} <= {P50_TARGET_MS} ms]"
    )
    print(
        f"HTTP, {options.clients} keep-alive clients:       {many['rate']:.0f} calls/s, p50 {many['p50_ms']:.2f} ms, "
        f"p99 {many['p99_ms']:.2f} ms  [{verdict(many['rate'] >= RATE_TARGET)} >= {RATE_TARGET:.0f} calls/s]"
    )
    print(f"HTTP overhead per call (p50 / in-process): {single['p50_ms'] / inproc_ms:.1f}x")
    failed = single["errors"] + many["errors"]
    print(f"non-200 answers: {failed:.0f} of {single['requests'] + many['requests']:.0f}")


if __name__ == "__main__":
    main()
