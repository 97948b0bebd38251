"""Tampering with what users train on (messages) or with what ran (trace) fails verify, with
the reason; untouched records pass, truncated observations and unknown tools included."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tracefabric.verify import Status, agreement_problems, verify_dataset

from .conftest import LIMIT, Record, records_of, tampered, tool_call_entries, tool_message_indexes


def test_generated_records_agree_and_replay(generated: Path) -> None:
    records = records_of(generated)
    for record in records:
        # the truncated observation of big.txt is in there, and the unknown tool's error
        contents = [record["messages"][i]["content"] for i in tool_message_indexes(record)]
        assert "[truncated: 700 more characters]" in contents[2]
        assert contents[1] == "Error (UnknownTool): Unknown tool: no_such_tool"
        assert (
            record["trace"]["calls"][1]["executed"] is False
            and "component" not in record["trace"]["calls"][1]
        )
        assert agreement_problems(record, max_observation_chars=LIMIT) == []
        assert agreement_problems(record) == []  # the limit read back from the truncation marker
    report = verify_dataset(generated)
    assert [s.status for s in report.samples] == [Status.OK, Status.OK] and report.passed
    assert report.samples[0].calls == 5


def _tool_content(index: int, text: str) -> Callable[[Record], None]:
    def edit(record: Record) -> None:
        record["messages"][tool_message_indexes(record)[index]]["content"] = text

    return edit


def _arguments(index: int, arguments: dict[str, Any]) -> Callable[[Record], None]:
    def edit(record: Record) -> None:
        i, j = tool_call_entries(record)[index]
        record["messages"][i]["tool_calls"][j]["function"]["arguments"] = json.dumps(arguments)

    return edit


def _set_trace(value: Any) -> Callable[[Record], None]:
    def edit(record: Record) -> None:
        record["trace"]["calls"] = value

    return edit


def _both(*edits: Callable[[Record], None]) -> Callable[[Record], None]:
    def edit(record: Record) -> None:
        for one in edits:
            one(record)

    return edit


def _response(index: int, result: str) -> Callable[[Record], None]:
    def edit(record: Record) -> None:
        record["trace"]["calls"][index]["response"]["result"] = result

    return edit


def _hide_as_unknown(record: Record) -> None:
    call = record["trace"]["calls"][0]  # list_files, a tool the record offers
    for key in ("component", "tool", "step", "state_digest"):
        call.pop(key)
    call["executed"] = False


def _swap_answers(record: Record) -> None:
    first, second = tool_message_indexes(record)[3:5]
    messages = record["messages"]
    messages[first], messages[second] = messages[second], messages[first]


def _claim_nondeterministic(record: Record) -> None:
    record["trace"]["components"]["vfs"]["deterministic"] = False
    _tool_content(0, '["notes.md"]')(record)
    _response(0, '["notes.md"]')(record)


def _drop_trace(record: Record) -> None:
    del record["trace"]


CASES = {
    "invented tool message": (
        _tool_content(0, '["passwords.txt"]'),
        Status.MISMATCH,
        "messages[3].content: is not what trace.calls[0] returned",
    ),
    "invented error message": (
        _tool_content(4, "Error (FileNotFound): nothing here"),
        Status.MISMATCH,
        "messages[9].content: is not what trace.calls[4] returned",
    ),
    "truncated observation lengthened": (
        _tool_content(2, "0123456789" * 31 + "\n... [truncated: 690 more characters]"),
        Status.MISMATCH,
        "messages[6].content: is not what trace.calls[2] returned",
    ),
    "unknown tool's message": (
        _tool_content(1, "Error (UnknownTool): Unknown tool: list_files"),
        Status.MISMATCH,
        "messages[4].content",
    ),
    "tampered arguments": (
        _arguments(2, {"file_path": "secrets.txt"}),
        Status.MISMATCH,
        "messages[5].tool_calls[0].function.arguments: differ from trace.calls[2].request.args",
    ),
    "unknown tool's arguments, 1 becomes true": (
        _arguments(1, {"x": True}),
        Status.MISMATCH,
        "messages[2].tool_calls[1].function.arguments: differ from trace.calls[1].request.args",
    ),
    "tool renamed": (
        lambda r: r["messages"][2]["tool_calls"][0]["function"].update(name="delete_file"),
        Status.MISMATCH,
        "messages[2].tool_calls[0].function.name: differs from trace.calls[0] (expected 'list_files', found 'delete_file')",
    ),
    "answers swapped": (
        _swap_answers,
        Status.MISMATCH,
        "messages[8].tool_call_id: does not answer the next tool call",
    ),
    "missing trace": (_drop_trace, Status.INVALID, "no trace"),
    "trace not a list": (
        _set_trace("list_files, read_file"),
        Status.INVALID,
        "trace.calls: a string, not a list of calls",
    ),
    "trace missing its calls": (_set_trace(None), Status.INVALID, "trace.calls: missing"),
    "empty trace": (
        _set_trace([]),
        Status.MISMATCH,
        "trace.calls: empty, but the messages hold 5 tool calls",
    ),
    "a call dropped from the trace": (
        lambda r: r["trace"]["calls"].pop(),
        Status.MISMATCH,
        "trace.calls: holds 4 calls, but the messages hold 5 tool calls",
    ),
    "an offered tool passed off as never executed": (
        _hide_as_unknown,
        Status.MISMATCH,
        "trace.calls[0]: recorded as never executed (unknown tool), but 'list_files' is an offered tool",
    ),
    # Messages and trace agree, but the sandbox does not: replay catches it.
    "message and trace invented alike": (
        _both(_tool_content(0, '["notes.md"]'), _response(0, '["notes.md"]')),
        Status.MISMATCH,
        "trace.calls[0].response.result: list_files: replay gives a different result",
    ),
    "claims vfs is non-deterministic to dodge replay": (
        _claim_nondeterministic,
        Status.MISMATCH,
        "trace.calls[0].response.result",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_tampering_fails_with_the_reason(generated: Path, tmp_path: Path, case: str) -> None:
    edit, status, reason = CASES[case]
    report = verify_dataset(tampered(generated, tmp_path, edit))
    first, second = report.samples
    assert first.status == status, first.detail
    assert reason in first.detail
    assert second.status == Status.OK  # the untouched record still passes
    assert not report.passed and report.count(status) == 1


def test_a_record_from_before_unknown_calls_kept_their_arguments_still_agrees(generated: Path) -> None:
    record = records_of(generated)[0]
    del record["trace"]["calls"][1]["request"]  # older records: the unknown call has no request
    assert agreement_problems(record, max_observation_chars=LIMIT) == []


def test_inferred_limit_still_catches_a_wrong_truncation(generated: Path) -> None:
    record = records_of(generated)[0]
    index = tool_message_indexes(record)[2]
    record["messages"][index]["content"] = "0123456789" * 30 + "\n... [truncated: 699 more characters]"
    (problem,) = agreement_problems(record)
    assert problem.where == f"messages[{index}].content" and problem.severity == "mismatch"
    # the run's limit is 300: content cut anywhere else is wrong even if self-consistent
    record["messages"][index]["content"] = "0123456789" * 31 + "\n... [truncated: 690 more characters]"
    assert agreement_problems(record) == []
    assert [p.where for p in agreement_problems(record, max_observation_chars=LIMIT)] == [
        f"messages[{index}].content"
    ]
