"""Custom components: the same tool scaffolded in Python and in C, built and called side by side.

    python bench/components_bench.py [--calls 2000]

Scaffolds `convert_temperature` with `component new` in both languages (in a temporary
folder), builds both with `build_components` (the Python build is cached by content hash
after its first run), then measures in this one run: build time, .wasm size, a new
session's first call (fresh instance: instantiate + call) and warm calls, for each.
Ratios are C / Python.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tracefabric.sandbox.build import build_components
from tracefabric.sandbox.host import SandboxHost
from tracefabric.scaffold import new_component

ARGS = {"value": 21.5, "from_unit": "C", "to_unit": "F"}


def timed_ms(fn, *args) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def measure(host: SandboxHost, component: str, calls: int) -> dict[str, float]:
    host.execute(component, "convert_temperature", ARGS, "bench-load")  # load + compile-cache hit
    first = [
        timed_ms(host.execute, component, "convert_temperature", ARGS, f"first-{i}")
        for i in range(min(200, calls))
    ]
    for i in range(min(200, calls)):
        host.end_session(f"first-{i}")
    host.execute(component, "convert_temperature", ARGS, "warm")
    warm = [timed_ms(host.execute, component, "convert_temperature", ARGS, "warm") for _ in range(calls)]
    return {"first_call_ms": statistics.median(first), "warm_call_ms": statistics.median(warm)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracefabric-bench-") as tmp:
        folder = Path(tmp)
        manifest = folder / "spin.toml"
        new_component("pyconv", language="python", manifest=manifest)
        new_component("cconv", language="c", manifest=manifest)
        builds = {o.component: o for o in build_components(manifest)}
        results: dict[str, dict[str, float]] = {}
        with SandboxHost(manifest, data_dir=folder / "kv", pool_size=0) as host:
            for name in ("pyconv", "cconv"):
                outcome = builds[name]
                assert outcome.artifact is not None
                results[name] = {
                    "build_s": outcome.duration_s,
                    "wasm_kb": outcome.artifact.stat().st_size / 1024,
                    **measure(host, name, args.calls),
                }
    py, c = results["pyconv"], results["cconv"]
    print(f"{'':28}{'Python':>12}{'C':>12}{'C / Python':>12}")
    rows = [
        ("build (s)", "build_s", "{:.2f}"),
        (".wasm size (KB)", "wasm_kb", "{:.0f}"),
        ("new session, 1st call (ms)", "first_call_ms", "{:.3f}"),
        ("warm call (ms)", "warm_call_ms", "{:.3f}"),
    ]
    for label, key, fmt in rows:
        ratio = c[key] / py[key] if py[key] else float("nan")
        print(f"{label:<28}{fmt.format(py[key]):>12}{fmt.format(c[key]):>12}{ratio:>12.3f}")
    print("(Python build time is a cache hit after the first run: the cost of a rebuild with no change.)")


if __name__ == "__main__":
    main()
