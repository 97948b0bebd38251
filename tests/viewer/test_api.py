"""The viewer's JSON API over real HTTP: lists, filters, one record's timeline, failures,
run.json, verify statuses, replays, evaluation reports, errors."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.scripted import read_jsonl

from .conftest import Running


def test_sources_and_overview(viewer: Running, dataset: Path) -> None:
    (source,) = viewer.get("/api/sources")
    assert source["slug"] == "agent" and source["kind"] == "dataset"
    assert source["failures"] and source["run"] and source["records"] == len(read_jsonl(dataset))
    overview = viewer.get("/api/s/agent/overview")
    stats = overview["stats"]
    assert stats["kinds"] == {"agent": source["records"]}
    assert stats["errors"]["FileNotFound"] == source["records"]
    assert stats["injected_faults"]["RateLimited"] >= 1
    assert overview["failures"]["reasons"][0]["reason"] == "min_tool_calls"
    tree = overview["topics"]["tree"]
    assert tree["label"] == "Project chores" and tree["records"] == source["records"]
    assert sum(child["records"] for child in tree["children"]) == source["records"]
    assert overview["run"]["status"] == "completed"


def test_filter_by_error_type_lists_only_matching_records(viewer: Running, dataset: Path) -> None:
    records = read_jsonl(dataset)
    page = viewer.get("/api/s/agent/records", error="RateLimited")
    expected = [str(n) for n, r in enumerate(records, 1) if "RateLimited" in r["metadata"]["errors_seen"]]
    assert expected and [item["key"] for item in page["items"]] == expected
    assert page["total"] == len(expected)
    assert all(item["faults"] == 1 for item in page["items"])
    facets = viewer.get("/api/s/agent/facets")["facets"]
    assert facets["error"]["RateLimited"] == len(expected)
    assert facets["fault"] == {"RateLimited": len(expected)}


def test_one_record_is_a_timeline_in_order(viewer: Running, dataset: Path) -> None:
    records = read_jsonl(dataset)
    line = next(n for n, r in enumerate(records, 1) if r["metadata"]["injected_faults"])
    data = viewer.get(f"/api/s/agent/records/{line}", fault="RateLimited")
    events = data["view"]["events"]
    assert [e["type"] for e in events] == ["system", "user", "step", "step", "step", "step", "answer"]
    steps = [e for e in events if e["type"] == "step"]
    assert [e["number"] for e in steps] == [1, 2, 3, 4]
    calls = [c for s in steps for c in s["calls"]]
    assert [c["name"] for c in calls] == ["list_files", "read_file", "read_file", "get_weather", "write_file"]
    missing = calls[1]
    assert missing["success"] is False and missing["error_type"] == "FileNotFound"
    assert missing["observation"].startswith("Error (FileNotFound)")
    assert missing["arguments"] == {"file_path": "settings.json"}
    weather = calls[3]
    assert weather["injected_fault"] == "RateLimited" and weather["error_type"] == "RateLimited"
    assert events[-1]["text"] == records[line - 1]["messages"][-1]["content"]
    assert data["view"]["agreement"] == []  # messages agree with the trace
    assert data["record"] == records[line - 1]
    near = data["neighbours"]
    faulted = [str(n) for n, r in enumerate(records, 1) if r["metadata"]["injected_faults"]]
    assert near["position"] == faulted.index(str(line)) + 1 and near["total"] == len(faulted)
    assert near["previous"] is None and near["next"] == (faulted[1] if len(faulted) > 1 else None)


def test_failures_list_and_a_rejected_record(viewer: Running) -> None:
    page = viewer.get("/api/s/agent/failures")
    assert page["summary"]["reasons"][0]["reason"] == "min_tool_calls"
    assert page["total"] == page["summary"]["attempts"] > 0
    given_up = viewer.get("/api/s/agent/failures", final="1")
    assert given_up["total"] == page["summary"]["given_up"]
    assert all(item["final"] == 1 for item in given_up["items"])
    first = page["items"][0]
    entry = viewer.get(f"/api/s/agent/failures/{first['line']}")
    assert entry["entry"]["reason"] == "min_tool_calls"
    assert [e["type"] for e in entry["view"]["events"]][-1] == "answer"  # the rejected record's timeline
    assert entry["raw"]["metadata"]["tool_calls"] == 0


def test_run_json(viewer: Running) -> None:
    data = viewer.get("/api/s/agent/run")
    assert data["run"]["status"] == "completed"
    assert data["run"]["config"]["generation"]["kind"] == "agent"


def test_replay_shows_the_files_the_agent_changed(viewer: Running) -> None:
    with viewer.client() as client:
        result = client.post("/api/s/agent/records/1/replay", json={}).json()
    assert result["status"] == "ok", result
    changes = {c["path"]: c for c in result["changes"]}
    assert changes["notes.md"]["change"] == "added"
    assert "+debug is on" in changes["notes.md"]["diff"]
    assert changes["config.json"]["change"] == "unchanged"
    assert result["seed_files"] == ["config.json", "src/app.py"]


def test_replay_without_the_runs_config_says_so(dataset: Path, serve) -> None:  # type: ignore[no-untyped-def]
    dataset.with_name("agent.run.json").unlink()
    with serve([dataset]) as viewer, viewer.client() as client:
        record = viewer.get("/api/s/agent/records/1")
        assert record["replayable"] is False
        result = client.post("/api/s/agent/records/1/replay", json={}).json()
    assert result["replayed"] is False and "run.json is not next to the dataset" in result["message"]


def test_errors_are_json_with_a_type(viewer: Running) -> None:
    with viewer.client() as client:
        for path, status, kind in (
            ("/api/s/nope/overview", 404, "NotFound"),
            ("/api/s/agent/records/99999", 404, "NotFound"),
            ("/api/s/agent/records?sort=sideways", 400, "InvalidQuery"),
            ("/api/s/agent/records?judge_min=high", 400, "InvalidQuery"),
            ("/api/s/agent/records?offset=x", 400, "InvalidQuery"),
            ("/api/nothing/here", 404, "NotFound"),
        ):
            response = client.get(path)
            assert response.status_code == status, path
            assert response.json()["error_type"] == kind, path


def test_deep_links_serve_the_page(viewer: Running) -> None:
    with viewer.client() as client:
        for path in ("/", "/s/agent", "/s/agent/records?error=FileNotFound", "/s/agent/records/2", "/e/x"):
            response = client.get(path)
            assert response.status_code == 200 and '<script type="module"' in response.text, path
        assert client.get("/static/js/main.js").headers["content-type"].startswith("text/javascript")


def test_a_file_still_being_written_shows_up(viewer: Running, dataset: Path) -> None:
    records = read_jsonl(dataset)
    with open(dataset, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(records[0]) + "\n")
    deadline = time.monotonic() + 60  # the viewer looks every second; generous under load
    while viewer.get("/api/s/agent/status")["records"] == len(records):
        assert time.monotonic() < deadline, "the appended record never showed up"
        time.sleep(0.2)
    assert viewer.get("/api/s/agent/records", offset=len(records))["items"][0]["line"] == len(records) + 1
