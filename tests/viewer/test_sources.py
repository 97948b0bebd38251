"""What each path is, and the views of failures files, run.json files and (provisional)
evaluation reports given on their own; the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.scripted import read_jsonl
from tracefabric.cli.main import cli
from tracefabric.errors import ConfigError
from tracefabric.viewer.sources import open_sources

from .evaluation_reports import write_reports


def test_each_path_is_recognised_by_what_it_holds(dataset: Path, tmp_path: Path) -> None:
    failures = dataset.with_name("agent.failures.jsonl")
    renamed = shutil.copy(failures, tmp_path / "whatever.jsonl")
    run_json = dataset.with_name("agent.run.json")
    first, _ = write_reports(tmp_path, read_jsonl(dataset)[0])
    sources = open_sources([dataset, renamed, run_json, first, dataset])
    assert [(s.kind, s.slug) for s in sources] == [
        ("dataset", "agent"),
        ("failures", "whatever"),
        ("run", "agent.run"),
        ("evaluation", "baseline.report"),
        ("dataset", "agent-2"),
    ]


def test_paths_that_are_nothing_to_view(tmp_path: Path) -> None:
    stray = tmp_path / "notes.json"
    stray.write_text('{"hello": 1}')
    with pytest.raises(ConfigError, match=r"not a dataset, failures file, run\.json"):
        open_sources([stray])
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ConfigError, match="not a JSON document"):
        open_sources([broken])
    with pytest.raises(ConfigError, match="no such file"):
        open_sources([tmp_path / "missing.jsonl"])
    report = tmp_path / "r.verify.json"
    report.write_text(json.dumps({"dataset": "elsewhere.jsonl", "counts": {}, "records": []}))
    with pytest.raises(ConfigError, match="not among the datasets given"):
        open_sources([report])


def test_a_failures_file_on_its_own(dataset: Path, serve) -> None:  # type: ignore[no-untyped-def]
    failures = dataset.with_name("agent.failures.jsonl")
    with serve([failures]) as viewer:
        (source,) = viewer.get("/api/sources")
        assert source["kind"] == "failures"
        page = viewer.get(f"/api/s/{source['slug']}/failures", reason="min_tool_calls")
        assert page["total"] == len(failures.read_text().splitlines())
        entry = viewer.get(f"/api/s/{source['slug']}/failures/1")
        assert entry["view"]["events"][-1]["type"] == "answer"


def test_evaluation_reports_side_by_side_and_a_task(dataset: Path, tmp_path: Path, serve) -> None:  # type: ignore[no-untyped-def]
    record = read_jsonl(dataset)[0]
    first, second = write_reports(tmp_path, record)
    with serve([first, second]) as viewer:
        one = viewer.get("/api/e/baseline.report")
        metrics = {m["name"]: m for m in one["report"]["metrics"]}
        assert metrics["task_success"]["low"] == pytest.approx(0.5) and metrics["task_success"]["n"] == 40
        assert metrics["tool_error_recovery"]["high"] == 0.7 and metrics["mean_steps"]["low"] is None
        tables = {t["name"]: t for t in one["report"]["tables"]}
        assert [r["key"] for r in tables["per_tool"]["rows"]] == ["read_file", "get_weather"]
        assert [r["key"] for r in tables["per_topic"]["rows"]] == ["alpha", "bravo"]
        assert [t["has_trace"] for t in one["report"]["tasks"]] == [True, False]
        both = viewer.get("/api/e/baseline.report", compare="candidate.report")
        success = next(r for r in both["compare"]["metrics"] if r["name"] == "task_success")
        assert success["delta"] == pytest.approx(0.15) and success["overlap"] is True
        task = viewer.get("/api/e/baseline.report/tasks/t-1")
        assert task["view"]["events"][-1]["text"] == record["messages"][-1]["content"]
        with viewer.client() as client:
            assert client.get("/api/e/baseline.report/tasks/t-9").status_code == 404


def test_view_help_and_bad_paths() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["view", "--help"])
    assert result.exit_code == 0 and "tracefabric view output/quickstart/dataset.jsonl" in result.output
    result = runner.invoke(cli, ["view"])
    assert result.exit_code == 2


def test_the_command_reports_bad_input_in_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    stray = tmp_path / "notes.json"
    stray.write_text('{"hello": 1}')
    run = subprocess.run(
        [sys.executable, "-m", "tracefabric.cli.main", "view", str(stray), "--no-open"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"error: {stray}: not a dataset, failures file, run.json, verify report or evaluation report"
    ]


def test_a_split_folder_is_one_dataset(dataset: Path, serve) -> None:  # type: ignore[no-untyped-def]
    from tracefabric.split.assign import split_dataset

    report = split_dataset(dataset, dataset.parent / "agent.splits", validation=0.2, test=0.2, by=["sample"])
    folder = report.out
    with serve([folder]) as viewer:
        (source,) = viewer.get("/api/sources")
        assert source["kind"] == "dataset" and source["splits"][0] == "train"
        assert source["records"] == len(read_jsonl(dataset))
        assert source["failures"] and source["run"]  # found through the dataset the folder came from
        page = viewer.get("/api/s/agent.splits/records", limit=500)
        keys = [item["key"] for item in page["items"]]
        assert all(key.split(":")[0] in source["splits"] for key in keys)
        assert len(set(keys)) == len(keys) == source["records"]
        last = keys[-1]
        record = viewer.get(f"/api/s/agent.splits/records/{last}")
        assert record["split"] == last.split(":")[0]
        only_test = viewer.get("/api/s/agent.splits/records", split="test")
        assert {item["split"] for item in only_test["items"]} == {"test"}
        overview = viewer.get("/api/s/agent.splits/overview")
        assert sum(overview["stats"]["splits"].values()) == source["records"]
