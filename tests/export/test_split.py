"""Deterministic splits without leakage, and exports that write them."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.scripted import read_jsonl
from tracefabric.split import register_group_key, split_dataset
from tracefabric.split.keys import GROUP_KEYS


def many_records(mixed: Path, tmp_path: Path, topics: int = 40, per_topic: int = 5) -> Path:
    """`topics` × `per_topic` records (copies of real ones, each with its own topic and request)."""
    base = read_jsonl(mixed)
    out = tmp_path / "many.jsonl"
    with open(out, "w") as handle:
        for t in range(topics):
            for i in range(per_topic):
                record = copy.deepcopy(base[(t * per_topic + i) % len(base)])
                record["metadata"].update(
                    topic_id=f"topic-{t}", topic_path=["root", f"topic {t}"], sample_id=f"s{t}-{i}"
                )
                user = next(m for m in record["messages"] if m["role"] == "user")
                user["content"] = f"Request {i} about topic {t}?"
                handle.write(json.dumps(record) + "\n")
    return out


def split_of(folder: Path) -> dict[str, list[dict]]:
    return {name: read_jsonl(folder / f"{name}.jsonl") for name in ("train", "validation", "test")}


def test_sizes_determinism_and_no_topic_in_two_splits(mixed: Path, tmp_path: Path) -> None:
    data = many_records(mixed, tmp_path)
    report = split_dataset(data, tmp_path / "a", validation=0.1, test=0.2, seed=3)
    assert report.sizes == {"train": 140, "validation": 20, "test": 40}  # whole topics of 5 fit exactly
    splits = split_of(tmp_path / "a")
    topics = {name: {r["metadata"]["topic_id"] for r in rows} for name, rows in splits.items()}
    assert not (topics["train"] & topics["test"]) and not (topics["train"] & topics["validation"])
    assert not (topics["validation"] & topics["test"])
    # the same input and seed give the same files; another seed another assignment
    split_dataset(data, tmp_path / "b", validation=0.1, test=0.2, seed=3)
    for name in ("train", "validation", "test"):
        assert (tmp_path / "a" / f"{name}.jsonl").read_bytes() == (
            tmp_path / "b" / f"{name}.jsonl"
        ).read_bytes()
    split_dataset(data, tmp_path / "c", validation=0.1, test=0.2, seed=4)
    assert (tmp_path / "c" / "test.jsonl").read_bytes() != (tmp_path / "a" / "test.jsonl").read_bytes()
    manifest = json.loads((tmp_path / "a" / "splits.json").read_text())
    assert manifest["splits"]["test"] == {"file": "test.jsonl", "records": 40, "groups": 8}
    # lines are copied byte for byte
    assert sorted(
        line
        for n in ("train", "validation", "test")
        for line in (tmp_path / "a" / f"{n}.jsonl").read_text().splitlines()
    ) == sorted(data.read_text().splitlines())


def test_near_duplicate_requests_across_topics_stay_together(mixed: Path, tmp_path: Path) -> None:
    data = many_records(mixed, tmp_path)
    lines = data.read_text().splitlines()
    # topic 7's first request again in topic 30, differing only in case, spacing and punctuation
    twin = json.loads(lines[30 * 5])
    next(m for m in twin["messages"] if m["role"] == "user")["content"] = "  request 0 ABOUT topic 7!! "
    lines[30 * 5] = json.dumps(twin)
    data.write_text("\n".join(lines) + "\n")
    for seed in range(6):
        report = split_dataset(data, tmp_path / f"s{seed}", validation=0.1, test=0.3, seed=seed)
        assert report.merged_groups == 1 and report.records_in_merged_groups == 10
        where = {
            r["metadata"]["topic_id"]: name
            for name, rows in split_of(tmp_path / f"s{seed}").items()
            for r in rows
        }
        assert where["topic-7"] == where["topic-30"]
    # grouping by topic alone lets the twin requests leak (what the default avoids)
    leaks = 0
    for seed in range(6):
        split_dataset(data, tmp_path / f"t{seed}", validation=0.1, test=0.3, seed=seed, by=["topic"])
        where = {
            r["metadata"]["topic_id"]: n for n, rows in split_of(tmp_path / f"t{seed}").items() for r in rows
        }
        leaks += where["topic-7"] != where["topic-30"]
    assert leaks > 0


def test_grouping_keys_are_pluggable(mixed: Path, tmp_path: Path) -> None:
    data = many_records(mixed, tmp_path, topics=10)
    register_group_key("kind", lambda record: [f"kind:{record['metadata']['kind']}"])
    try:
        split_dataset(data, tmp_path / "k", validation=0.0, test=0.3, by=["kind"], seed=1)
    finally:
        GROUP_KEYS.pop("kind")
    splits = split_of_present(tmp_path / "k")
    kinds = {name: {r["metadata"]["kind"] for r in rows} for name, rows in splits.items()}
    assert not (kinds["train"] & kinds["test"])


def split_of_present(folder: Path) -> dict[str, list[dict]]:
    return {p.stem: read_jsonl(p) for p in folder.glob("*.jsonl")}


def test_export_hf_writes_the_splits_it_is_given(mixed: Path, tmp_path: Path) -> None:
    import datasets

    from tracefabric.export import export

    data = many_records(mixed, tmp_path, topics=20)
    split_dataset(data, tmp_path / "splits", validation=0.1, test=0.1, seed=0)
    report = export(tmp_path / "splits", format="hf", out=tmp_path / "hf")
    assert set(report.splits) == {"train", "validation", "test"}
    loaded = datasets.load_dataset(str(tmp_path / "hf"), cache_dir=str(tmp_path / "hf-cache"))
    assert {name: loaded[name].num_rows for name in loaded} == report.splits
    card = (tmp_path / "hf" / "README.md").read_text()
    assert "path: data/validation-*" in card and "grouped by topic, request" in card


def test_bad_arguments(mixed: Path, tmp_path: Path) -> None:
    from tracefabric.errors import ConfigError

    with pytest.raises(ConfigError, match="nothing would be left to train on"):
        split_dataset(mixed, tmp_path / "x", validation=0.5, test=0.5)
    with pytest.raises(ConfigError, match="--by: colour: not one of"):
        split_dataset(mixed, tmp_path / "x", by=["colour"])
    assert not (tmp_path / "x").exists()


def test_split_and_export_from_the_command_line(mixed: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tracefabric.cli.main import cli

    data = many_records(mixed, tmp_path, topics=20)
    runner = CliRunner()
    result = runner.invoke(cli, ["split", str(data), "--val", "0.1", "--test", "0.1", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "train 80 (16 groups), validation 10 (2 groups), test 10 (2 groups)" in result.output
    assert "no leakage to avoid" in result.output
    folder = data.with_name("many.splits")
    result = runner.invoke(
        cli, ["export", str(folder), "-f", "sharegpt", "-o", str(tmp_path / "sg"), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["splits"] == {"train": 80, "validation": 10, "test": 10}
    assert sorted(p.name for p in (tmp_path / "sg").iterdir()) == [
        "test.jsonl",
        "train.jsonl",
        "validation.jsonl",
    ]
