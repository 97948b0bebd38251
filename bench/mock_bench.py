"""Mock component benchmark: what a mock tool call costs next to a VFS call, and how it scales.

    python bench/mock_bench.py [--calls 1500]

Everything is measured in this one run (the machine is shared and noisy), in-process
(`SandboxHost.execute`, the path the generator and the tool server use): per-call p50/p90
for the default echo, a template, fixture selection among 1, 100 and 1000 fixtures, a tool
with an outputSchema (checked on every call), and calls with fault injection configured;
the ratio of each to a VFS `read_file` call; and loading the tools of a real MCP server
(11 tools, 3 pages) over stdio (`tools import`) and streamable HTTP (`/mock/pull`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tracefabric.mock import MockTools, fetch_tools_stdio
from tracefabric.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "tests" / "mock" / "mcp_catalog.py"

TOOL = {
    "name": "lookup",
    "description": "Look a customer up.",
    "inputSchema": {
        "type": "object",
        "properties": {
            "customer": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "region": {"type": "string"}},
            },
            "fields": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["customer"],
    },
}
TYPED = {
    **TOOL,
    "name": "lookup_typed",
    "outputSchema": {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "region": {"type": "string"}},
        "required": ["id", "name"],
    },
}
ARGS = {"customer": {"id": 7, "region": "eu-west"}, "fields": ["name", "email"]}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(fn: Any, calls: int) -> list[float]:
    for _ in range(50):
        fn()
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1500)
    options = parser.parse_args()
    calls = options.calls
    sandbox = Sandbox.in_process(data_dir=tempfile.mkdtemp(prefix="tracefabric-bench-"), pool_size=0)
    host = sandbox.transport.host  # type: ignore[attr-defined]
    execute = host.execute

    def namespace(name: str, fixtures: int = 0, template: bool = False, faults: Any = None) -> MockTools:
        mock = MockTools(sandbox, name)
        mock.load({"tools": [TOOL, TYPED]})
        if template:
            mock.update_response(
                "lookup", {"id": "{{customer.id}}", "region": "{{customer.region}}", "fields": "{{fields}}"}
            )
        if fixtures:
            # One document: the non-matching ones first, so selection scans them all.
            entries = [
                {"match": {"customer.id": 1000 + i}, "response": {"n": i}} for i in range(fixtures - 1)
            ]
            entries.append(
                {"match": {"customer.id": 7, "customer.region": {"$glob": "eu-*"}}, "response": {"hit": True}}
            )
            mock.load({"fixtures": {"lookup": entries}})
        if faults is not None:
            mock.set_faults(faults)
        mock.update_response(
            "lookup_typed", {"id": "{{customer.id}}", "name": "Ada", "region": "{{customer.region}}"}
        )
        return mock

    execute("vfs", "write_file", {"file_path": "notes.txt", "content": "hello " * 20}, "bench")
    cases: list[tuple[str, Any]] = [
        ("vfs read_file (baseline)", lambda: execute("vfs", "read_file", {"file_path": "notes.txt"}, "bench"))
    ]
    setups = [
        ("mock echo (nothing configured)", "echo", {}, "lookup"),
        ("mock template (nested placeholders)", "template", {"template": True}, "lookup"),
        ("mock fixture, 1 fixture", "f1", {"fixtures": 1}, "lookup"),
        ("mock fixture, 100 fixtures", "f100", {"fixtures": 100}, "lookup"),
        ("mock fixture, 1000 fixtures", "f1000", {"fixtures": 1000}, "lookup"),
        ("mock + outputSchema check", "typed", {}, "lookup_typed"),
        (
            "mock, faults configured (5%)",
            "faults",
            {"template": True, "faults": {"seed": 1, "timeout": 0.05}},
            "lookup",
        ),
    ]
    for label, name, kwargs, tool in setups:
        namespace(name, **kwargs)
        host.describe("mock", name)
        cases.append(
            (label, lambda name=name, tool=tool: execute("mock", tool, ARGS, "bench", namespace=name))
        )
    check = execute("mock", "lookup", ARGS, "bench", namespace="f1000")
    assert check["success"] and '"hit": true' in check["result"], check

    print(f"per-call latency, in-process, {calls} calls each (ms)")
    print(f"{'case':40} {'p50':>8} {'p90':>8} {'x vfs p50':>10}")
    base = None
    for label, fn in cases:
        times = measure(fn, calls)
        p50 = statistics.median(times)
        base = base or p50
        print(f"{label:40} {p50:8.3f} {percentile(times, 0.9):8.3f} {p50 / base:10.2f}")

    # Loading a real MCP server's tools (11 tools, 4 per page).
    sys.path.insert(0, str(CATALOG.parent))
    import mcp_catalog
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(mcp_catalog.http_app(), host="127.0.0.1", port=0, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/mcp"
    pulls, imports = [], []
    for i in range(5):
        start = time.perf_counter()
        MockTools(sandbox, f"pull{i}").pull(url)
        pulls.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        fetch_tools_stdio(f"{sys.executable} {CATALOG}")
        imports.append((time.perf_counter() - start) * 1000)
    server.should_exit = True
    thread.join(timeout=10)
    print()
    print("loading 11 MCP tools (3 pages), median of 5 (ms)")
    print(f"  /mock/pull over streamable HTTP, handshake + load: {statistics.median(pulls):8.1f}")
    print(f"  tools import over stdio (incl. starting the server): {statistics.median(imports):8.1f}")
    sandbox.close()


if __name__ == "__main__":
    main()
