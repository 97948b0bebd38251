"""What the pages show, from records of every shape: claims located in the answer, quality
and task results read generically, timelines of records without traces."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.scripted import read_jsonl
from tracefabric.viewer.views.claims import locate_claims
from tracefabric.viewer.views.quality import judge_score, quality_view, task_view
from tracefabric.viewer.views.timeline import record_view


def test_claims_become_segments_of_the_answer() -> None:
    answer = "Debug is on.  Oslo is at 20 degrees. It will snow."
    claims = [
        {"text": "Oslo is at 20 degrees", "supported": True, "source": "trace.calls[3]"},
        {"text": "debug  IS on", "supported": True},  # case and spacing differ
        {"text": "It will snow", "supported": False},
        {"text": "a claim the answer does not contain", "supported": False},
    ]
    segments, located = locate_claims(answer, claims)
    assert located == [True, True, True, False]
    assert "".join(s["text"] for s in segments) == answer
    marked = [(s["text"], s["claim"]) for s in segments if s["claim"] is not None]
    assert marked == [("Debug is on", 1), ("Oslo is at 20 degrees", 0), ("It will snow", 2)]


def test_overlapping_and_repeated_claims() -> None:
    answer = "ok ok ok"
    segments, located = locate_claims(answer, [{"text": "ok"}, {"text": "ok"}, {"text": "ok ok"}])
    assert located == [True, True, False]  # the third would overlap the first two
    assert [s["claim"] for s in segments if s["claim"] is not None] == [0, 1]
    assert locate_claims("", [])[0] == [{"text": "", "claim": None}]


def test_quality_in_its_several_shapes() -> None:
    as_list = {
        "accepted": False,
        "gates": [
            {"name": "min_tool_calls", "passed": True},
            {
                "gate": "grounding",
                "ok": False,
                "reason": "2 unsupported claims",
                "claims": [{"text": "x", "supported": False}],
            },
            {"name": "judge", "passed": True, "score": 4.5},
        ],
    }
    view = quality_view({"quality": as_list})
    assert view is not None and view["accepted"] is False
    assert [(g["name"], g["passed"]) for g in view["gates"]] == [
        ("min_tool_calls", True),
        ("grounding", False),
        ("judge", True),
    ]
    assert view["gates"][1]["reason"] == "2 unsupported claims"
    assert view["claims"] == [{"text": "x", "supported": False, "source": None}]
    assert view["judge_score"] == 4.5
    as_mapping = {"gates": {"order": True, "trace": "failed", "schema": {"passed": False, "reason": "bad"}}}
    gates = quality_view({"quality": as_mapping})["gates"]  # type: ignore[index]
    assert [(g["name"], g["passed"]) for g in gates] == [("order", True), ("trace", False), ("schema", False)]
    assert judge_score({"judge": {"score": 3, "rationale": "..."}}) == 3.0
    assert judge_score({"judge_score": 0.7}) == 0.7
    assert judge_score({"score": True}) is None
    assert quality_view({}) is None


def test_task_criteria() -> None:
    task = task_view(
        {
            "task": {
                "goal": "fix the flag",
                "success_criteria": ["flag off", {"text": "tests pass", "met": True}],
            }
        }
    )
    assert task == {
        "criteria": [{"text": "flag off", "met": None}, {"text": "tests pass", "met": True}],
        "fields": {"goal": "fix the flag"},
    }


def test_a_record_with_quality_claims_and_task(generated: Path) -> None:
    record = copy.deepcopy(read_jsonl(generated)[0])
    answer = record["messages"][-1]["content"]
    record["metadata"]["quality"] = {
        "accepted": True,
        "gates": [{"name": "grounding", "passed": True}],
        "grounding": {
            "claims": [{"text": "Oslo is at 20 degrees", "supported": True, "source": "get_weather"}]
        },
        "judge": {"score": 4, "model": "judge-model"},
    }
    record["metadata"]["task"] = {"success_criteria": ["notes.md exists"]}
    view = record_view(record)
    answer_event = view["events"][-1]
    assert answer_event["type"] == "answer"
    assert "".join(s["text"] for s in answer_event["segments"]) == answer
    assert [s["text"] for s in answer_event["segments"] if s["claim"] == 0] == ["Oslo is at 20 degrees"]
    assert view["quality"]["claims"][0]["located"] is True
    assert view["quality"]["judge_score"] == 4.0
    assert view["task"]["criteria"] == [{"text": "notes.md exists", "met": None}]
    assert "quality" not in view["provenance"]["metadata"]


def test_records_without_a_trace_and_other_kinds() -> None:
    deepfabric_like = {
        "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": "a",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "a", "content": "Error (Timeout): upstream took too long"},
            {"role": "assistant", "content": "It timed out."},
        ],
        "metadata": {"kind": "agent"},
    }
    view = record_view(deepfabric_like)
    step = view["events"][1]
    assert step["calls"][0]["success"] is False and step["calls"][0]["error_type"] == "Timeout"
    assert step["calls"][0]["traced"] is False and view["agreement"] is None
    cot = {
        "messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}],
        "reasoning": [{"step": 1, "thought": "Add them.", "action": "final_answer"}],
        "metadata": {"kind": "cot"},
    }
    assert [e["type"] for e in record_view(cot)["events"]] == ["user", "answer"]
    assert record_view(cot)["events"][-1]["thought"] == "Add them."
    odd = {
        "messages": [{"role": "tool", "content": "orphan"}, "not a message"],
        "metadata": "nope",
        "trace": {"calls": "x"},
    }
    view = record_view(odd)  # malformed: shown, never a crash
    assert view["events"][0]["type"] == "tool"
    assert view["agreement"] and view["agreement"][0]["severity"] == "invalid"
    json.dumps(view)
