"""Benchmark of the topic stage: what our own code costs around the LLM calls.

    python bench/topics_bench.py

1. Duplicate index: per-query time of `DuplicateIndex.matches` (exact prefix-filtered
   Jaccard) against brute-force pairwise Jaccard over the same stored topics, at several
   sizes; the ratio is the speed-up. Both find the same matches (checked). The topics are
   drawn from a 60-word vocabulary, so most of them share words: a worst case for the index.
2. Generation overhead per expansion with an instant scripted model: tree and cross-linked
   graph, degree 10, depth 3 (111 expansions, 1,111 nodes), including the fsynced journal
   and the final atomic write; and the cost per step of resuming (replaying the journal).
3. Rendering 1,111 nodes to HTML and SVG.
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TRACEFABRIC_QUIET", "1")

from tracefabric.llm import LLM, BudgetExceeded, LLMConfig, ScriptedProvider
from tracefabric.topics import TopicsConfig, generate_topics, render_topics
from tracefabric.topics.dedup import DuplicateIndex, exact_key, jaccard, tokens
from tracefabric.topics.journal import Journal

ROOT = "Working with files and directories in Python"
VOCABULARY_TEXT = (
    "reading writing binary text csv json yaml paths globbing permissions locking temporary atomic "
    "renames streams buffers encodings unicode compression archives zip tar walking listing metadata "
    "timestamps symlinks mounts watching events sockets pipes memory mapping chunks lines records "
    "validation errors retries backups sync copy move delete create directories trees sizes quotas "
    "configuration logging rotation parsing serialisation pickling sqlite sharding hashing checksums"
)
VOCABULARY = VOCABULARY_TEXT.split()


def topic_names(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    extra = ["python", "files", "file", "handling", "with", "and", "in"]
    return [
        " ".join(rng.sample(VOCABULARY, rng.randint(2, 4)) + rng.sample(extra, rng.randint(0, 2)))
        for _ in range(count)
    ]


def bench_index() -> None:
    print("1. duplicate index (threshold 0.8): per query, indexed vs brute force")
    for size in (1_000, 5_000, 20_000):
        stored = topic_names(size, seed=size)
        queries = topic_names(300, seed=size + 1)
        index = DuplicateIndex(0.8)
        for key, text in enumerate(stored):
            index.add(key, text)
        sets = [(exact_key(t), tokens(t)) for t in stored]
        start = time.perf_counter()
        found = [{m.key for m in index.matches(q)} for q in queries]
        indexed = (time.perf_counter() - start) / len(queries)
        start = time.perf_counter()
        brute = []
        for q in queries:
            qn, qt = exact_key(q), tokens(q)
            brute.append({k for k, (n, t) in enumerate(sets) if n == qn or jaccard(qt, t) >= 0.8 - 1e-12})
        pairwise = (time.perf_counter() - start) / len(queries)
        assert found == brute, "index and brute force disagree"
        hits = sum(1 for f in found if f)
        print(
            f"   {size:>6,} topics: indexed {indexed * 1e6:7.1f} µs/query, brute force {pairwise * 1e6:8.1f} µs/query,"
            f" speed-up x{pairwise / indexed:5.1f}  ({hits}/{len(queries)} queries had duplicates)"
        )


def instant_model(stop_after: int | None = None) -> LLM:
    names = itertools.count()
    calls = itertools.count(1)

    def answer(request: object) -> object:
        if stop_after is not None and next(calls) > stop_after:
            return BudgetExceeded("stop here")
        prompt = request.messages[-1]["content"]  # type: ignore[attr-defined]
        count = int(prompt.split("List ", 1)[1].split(" ", 1)[0])
        return {"subtopics": [f"Topic n{next(names)}x" for _ in range(count)]}

    return LLM(LLMConfig(provider="scripted", max_retries=0), provider=ScriptedProvider(answer))


def bench_generation(folder: Path) -> None:
    print("2. generation overhead per expansion (instant scripted model, degree 10, depth 3)")
    for mode in ("tree", "graph"):
        runs = []
        for attempt in range(3):
            out = folder / f"{mode}{attempt}.{'jsonl' if mode == 'tree' else 'json'}"
            config = TopicsConfig(prompt=ROOT, mode=mode, depth=3, degree=10, save_as=str(out))
            start = time.perf_counter()
            result = generate_topics(config, llm=instant_model())
            runs.append(time.perf_counter() - start)
            assert result.stats.topics == 1000
        per = statistics.median(runs) / 111
        print(
            f"   {mode:<5}: {per * 1e3:6.2f} ms per expansion ({statistics.median(runs):.2f} s for 111, 1,111 nodes)"
        )

    # a run stopped before its last expansion leaves the journal of the other 110: time its replay
    out = folder / "resume.jsonl"
    config = TopicsConfig(prompt=ROOT, depth=3, degree=10, save_as=str(out), max_concurrency=1)
    try:
        generate_topics(config, llm=instant_model(stop_after=110))
    except BudgetExceeded:
        pass
    journal = Journal(str(out) + ".partial.jsonl")
    start = time.perf_counter()
    state = journal.replay(config)
    replay = time.perf_counter() - start
    print(f"   resume: {replay / state.steps * 1e6:6.1f} µs per journal step ({state.steps} steps replayed)")


def bench_render(folder: Path) -> None:
    print("3. rendering 1,111 nodes")
    source = folder / "tree0.jsonl"
    for suffix in ("html", "svg"):
        start = time.perf_counter()
        path = render_topics(source, folder / f"render.{suffix}")
        took = time.perf_counter() - start
        print(f"   {suffix}: {took * 1e3:6.1f} ms, {path.stat().st_size / 1024:6.0f} KiB")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="topics-bench-") as tmp:
        folder = Path(tmp)
        bench_index()
        bench_generation(folder)
        bench_render(folder)
    print(f"(python {sys.version.split()[0]}, {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
