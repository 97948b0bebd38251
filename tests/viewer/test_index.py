"""The index: built once, reused while the file is unchanged, extended as the file grows,
rebuilt when it is rewritten; beside the file, or in the cache when that folder is read-only."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.scripted import read_jsonl
from tracefabric.stats import dataset_stats
from tracefabric.viewer.index.location import index_location
from tracefabric.viewer.index.query import RecordQuery, list_records
from tracefabric.viewer.index.records import RecordIndex
from tracefabric.viewer.sources import open_sources


def index_of(path: Path, **kwargs: object) -> RecordIndex:
    return RecordIndex({"train": path}, index_location(path), name=str(path), **kwargs)  # type: ignore[arg-type]


def keys(index: RecordIndex, **params: list[str]) -> list[int]:
    page = list_records(index.connection(), RecordQuery.from_params(params), index.use_fts, limit=500)
    return [item["line"] for item in page["items"]]


def test_built_once_then_reused_beside_the_file(dataset: Path) -> None:
    index = index_of(dataset)
    assert index.open() == "built"
    assert index.location == dataset.with_name("agent.view.sqlite")
    assert index.count() == len(read_jsonl(dataset))
    built = index.location.stat().st_mtime_ns
    again = index_of(dataset)
    assert again.open() == "reused"
    assert again.location.stat().st_mtime_ns == built
    assert again.count() == index.count()


def test_a_growing_file_is_indexed_by_its_tail(dataset: Path) -> None:
    records = read_jsonl(dataset)
    index = index_of(dataset)
    index.open()
    first_ids = [row[0] for row in index.connection().execute("SELECT id FROM records ORDER BY id")]
    extra = json.dumps(records[0]) + "\n"
    with open(dataset, "a", encoding="utf-8") as handle:
        handle.write(extra)
        handle.write(extra[:100])  # a record still being written: no newline yet
    assert index.refresh() == "grown"
    assert index.count() == len(records) + 1
    rows = list(index.connection().execute("SELECT id, line FROM records ORDER BY id"))
    assert [r[0] for r in rows[: len(first_ids)]] == first_ids  # earlier rows untouched
    assert rows[-1][1] == len(records) + 1
    with open(dataset, "a", encoding="utf-8") as handle:
        handle.write(extra[100:])  # the writer finishes the line
    assert index.refresh() == "grown"
    assert index.count() == len(records) + 2
    assert index.record("train", len(records) + 2)[1]["metadata"] == records[0]["metadata"]
    stats = index.stats().finish().to_json()
    assert stats["records"] == len(records) + 2  # the statistics grew with the file
    assert index.refresh() == "same"
    reopened = index_of(dataset)
    assert reopened.open() == "reused" and reopened.count() == len(records) + 2


def test_a_rewritten_file_is_indexed_again(dataset: Path) -> None:
    records = read_jsonl(dataset)
    index = index_of(dataset)
    index.open()
    dataset.write_text("".join(json.dumps(r) + "\n" for r in records[:3]))  # truncated
    assert index.refresh() == "built"
    assert index.count() == 3
    records[0]["metadata"]["cycle"] = 7  # longer, but its head changed: not an append
    dataset.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert index.refresh() == "built"
    assert index.count() == len(records)
    assert index.record("train", 1)[1]["metadata"]["cycle"] == 7


def test_a_last_line_without_newline_that_parses_is_indexed(dataset: Path) -> None:
    text = dataset.read_text()
    dataset.write_text(text.rstrip("\n"))
    index = index_of(dataset)
    index.open()
    count = len(read_jsonl(dataset))
    assert index.count() == count
    with open(dataset, "a") as handle:
        handle.write("\n" + text.splitlines()[0] + "\n")
    assert index.refresh() == "grown"
    lines = [row[0] for row in index.connection().execute("SELECT line FROM records ORDER BY id")]
    assert lines == list(range(1, count + 2))  # the newline that ended the last line is not a line


def test_bad_lines_are_listed_and_counted(dataset: Path) -> None:
    good = read_jsonl(dataset)
    with open(dataset, "a") as handle:
        handle.write("{not json\n")
        handle.write('{"messages": "not a list", "metadata": {}}\n')
    index = index_of(dataset)
    index.open()
    total, first = index.bad_lines()
    assert total == 2
    assert [b["line"] for b in first] == [len(good) + 1, len(good) + 2]
    assert "not JSON" in first[0]["problem"] and "messages" in first[1]["problem"]
    assert index.count() == len(good)


def test_the_overview_numbers_are_the_stats_library_s(dataset: Path) -> None:
    index = index_of(dataset)
    index.open()
    from_index = index.stats().finish().to_json()
    direct = dataset_stats(dataset).to_json()
    for key in ("records", "kinds", "histograms", "tools", "errors", "injected_faults", "quality"):
        assert from_index[key] == direct[key], key


def test_filters_and_search(dataset: Path) -> None:
    records = read_jsonl(dataset)
    index = index_of(dataset)
    index.open()
    faulted = [n for n, r in enumerate(records, 1) if r["metadata"]["injected_faults"]]
    assert faulted and keys(index, fault=["RateLimited"]) == faulted
    assert keys(index, error=["FileNotFound"]) == list(range(1, len(records) + 1))
    assert keys(index, error=["FileNotFound"], fault=["RateLimited"]) == faulted
    assert keys(index, error=["NoSuchError"]) == []
    assert keys(index, tool=["get_weather"]) == list(range(1, len(records) + 1))
    topic = records[0]["metadata"]["topic_path"]
    from tracefabric.topics import topic_id_for

    same_branch = [n for n, r in enumerate(records, 1) if r["metadata"]["topic_path"][:2] == topic[:2]]
    assert keys(index, topic=[topic_id_for(topic[:2])]) == same_branch
    needle = records[-1]["messages"][1]["content"].split("(")[-1].rstrip(").")  # the request's tag
    assert keys(index, q=[needle]) == [len(records)]
    assert keys(index, q=['"settings.json"']) == list(range(1, len(records) + 1))  # in the arguments
    assert keys(index, q=["sett*"]) == list(range(1, len(records) + 1))
    assert keys(index, q=['" OR 1=1 --']) == []  # typed text is quoted, never FTS syntax
    first_page = list_records(index.connection(), RecordQuery(), index.use_fts, offset=0, limit=3)
    second_page = list_records(index.connection(), RecordQuery(), index.use_fts, offset=3, limit=3)
    assert first_page["total"] == len(records)
    assert [i["line"] for i in first_page["items"] + second_page["items"]] == list(range(1, 7))


def test_search_without_fts5(dataset: Path) -> None:
    """The fallback for SQLite builds without FTS5 finds the same records."""
    with_fts = index_of(dataset)
    with_fts.open()
    other = dataset.with_name("copy.jsonl")
    shutil.copy(dataset, other)
    without = RecordIndex({"train": other}, index_location(other), name="copy", use_fts=False)
    without.open()
    tables = [
        r[0] for r in without.connection().execute("SELECT sql FROM sqlite_master WHERE name = 'search'")
    ]
    assert "fts5" not in tables[0].lower()
    for query in (["FileNotFound"], ['"notes.md"'], ["oslo"], ["nothing-like-this"]):
        assert keys(without, q=query) == keys(with_fts, q=query), query


def test_verify_statuses_join_their_records(dataset: Path, tmp_path: Path) -> None:
    records = read_jsonl(dataset)
    report = {
        "dataset": str(dataset),
        "passed": False,
        "counts": {"ok": len(records) - 1, "mismatch": 1, "skipped": 0, "invalid": 0},
        "records": [
            {"line": n, "sample_id": "x", "status": "mismatch" if n == 2 else "ok", "calls": 5, "detail": "d"}
            for n in range(1, len(records) + 1)
        ],
    }
    path = dataset.with_name("agent.verify.json")
    path.write_text(json.dumps(report))
    (source,) = open_sources([dataset])
    source.open(None, lambda line: None)
    index = source.records
    assert keys(index, verify=["mismatch"]) == [2]
    assert len(keys(index, verify=["ok"])) == len(records) - 1
    assert index.verify_status("train", 2)["status"] == "mismatch"
    with open(dataset, "a") as handle:  # a record appended later gets its status too
        handle.write(json.dumps(records[0]) + "\n")
    report["records"].append({"line": len(records) + 1, "status": "skipped"})
    path.write_text(json.dumps(report))
    source.refresh()
    assert keys(index, verify=["skipped"]) == [len(records) + 1]


def _read_only(folder: Path) -> None:
    if os.geteuid() == 0:  # root writes anywhere chmod allows nothing: make the folder immutable
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)]).returncode:
            pytest.skip("running as root without chattr +i: no way to make a folder read-only")
    else:
        folder.chmod(0o555)


def _writable(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], check=False)
    folder.chmod(0o755)


def test_a_read_only_folder_keeps_its_index_in_the_cache(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("TRACEFABRIC_CACHE_DIR", str(cache))
    _read_only(dataset.parent)
    try:
        index = index_of(dataset)
        assert index.open() == "built"
        assert index.location.parent == cache / "view"
        assert not list(dataset.parent.glob("*.view.sqlite"))
        assert index_of(dataset).open() == "reused"
        assert index.count() == len(read_jsonl(dataset))
    finally:
        _writable(dataset.parent)


def test_an_index_that_is_not_one_is_rebuilt(dataset: Path) -> None:
    location = index_location(dataset)
    location.write_bytes(b"not sqlite")
    assert index_of(dataset).open() == "built"
    sqlite3.connect(location).execute("SELECT count(*) FROM records").fetchone()


def test_worker_processes_index_exactly_what_one_process_does(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracefabric.viewer.index import chunks

    lines = dataset.read_text().splitlines(keepends=True)
    big = tmp_path / "big" / "data.jsonl"
    big.parent.mkdir()
    with open(big, "w") as handle:
        for round_ in range(40):
            handle.writelines(lines)
            if round_ == 7:
                handle.write("{torn in the middle\n\n")
        handle.write(lines[0][:50])  # still being written
    serial = RecordIndex({"train": big}, tmp_path / "serial.sqlite", name="big")
    monkeypatch.setattr(chunks, "PARALLEL_BYTES", 1 << 60)
    serial.open()
    parallel = RecordIndex({"train": big}, tmp_path / "parallel.sqlite", name="big")
    monkeypatch.setattr(chunks, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 20_000)  # many chunks, cut mid-file
    assert len(chunks.chunks(big, "train", 0, big.stat().st_size)) > 10
    parallel.open()
    for table in ("records", "tags", "bad_lines"):
        query = f"SELECT * FROM {table} ORDER BY 1, 2, 3"
        assert [tuple(r) for r in parallel.connection().execute(query)] == [
            tuple(r) for r in serial.connection().execute(query)
        ], table
    assert parallel.count() == 40 * len(lines)
    assert parallel.bad_lines()[1][0]["line"] == 8 * len(lines) + 1
    assert parallel.stats().state() == serial.stats().state()
    assert parallel.states["train"] == serial.states["train"]
    assert keys(parallel, q=["settings.json"]) == keys(serial, q=["settings.json"])


def test_judge_scores_filter_and_sort_with_neighbours(dataset: Path) -> None:
    records = read_jsonl(dataset)
    scores = [None, 4.5, 2.0, 3.0, None, 5.0, 1.0, 3.0]
    for record, score in zip(records, scores, strict=False):
        if score is not None:
            record["metadata"]["quality"] = {"accepted": score >= 2, "judge": {"score": score}}
    dataset.write_text("".join(json.dumps(r) + "\n" for r in records))
    index = index_of(dataset)
    index.open()
    scored = {n: s for n, s in enumerate(scores[: len(records)], 1) if s is not None}
    assert keys(index, judge_min=["3"]) == sorted(n for n, s in scored.items() if s >= 3)
    assert keys(index, judge_min=["2"], judge_max=["3"]) == [3, 4, 8]
    ascending = keys(index, sort=["judge"])
    assert ascending[: len(records) - len(scored)] == [
        n for n in range(1, len(records) + 1) if n not in scored
    ]
    assert [scored[n] for n in ascending[len(records) - len(scored) :]] == sorted(scored.values())
    descending = keys(index, sort=["-judge"], gate=["rejected"])
    assert descending == [n for n in sorted(scored, key=lambda n: (-scored[n], -n)) if scored[n] < 2]
    query = RecordQuery.from_params({"sort": ["-judge"]})
    order = keys(index, sort=["-judge"])
    ids = {
        line: row[0]
        for line, row in ((r[1], r) for r in index.connection().execute("SELECT id, line FROM records"))
    }
    near = index.neighbours(query, ids[order[1]])
    assert near["position"] == 2 and near["previous"]["line"] == order[0] and near["next"]["line"] == order[2]
    steps = keys(index, sort=["-steps"], judge_min=["1"])
    assert steps == sorted(scored, key=lambda n: (-records[n - 1]["metadata"]["steps"], -n))
