"""Bad lines are reported with their line number and never stop the run; the real CLI's exit
status is 0 (all passed), 1 (something failed) or 2 (the input could not be read); a
DeepFabric-format file has nothing to replay."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tracefabric.verify import Status, verify_dataset

from .conftest import copy_dataset, records_of


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracefabric.cli.main", "verify", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard only
    )


def _without_args(record: dict) -> dict:
    del record["trace"]["calls"][0]["request"]["args"]
    return record


def _unknown_component(record: dict) -> dict:
    record["trace"]["calls"][3]["component"] = "ledger"
    return record


def bad_lines_file(generated: Path, folder: Path) -> tuple[Path, dict[int, str]]:
    good, other = (json.dumps(r) for r in records_of(generated))
    lines = [
        good,  # 1
        "{'messages': []}",  # 2: not JSON
        "",  # blank lines are not records
        "\x00\x00\x00\x00",  # 4: a zero-filled block
        json.dumps([json.loads(good)]),  # 5: a JSON array
        json.dumps(_without_args(json.loads(other))),  # 6
        json.dumps(_unknown_component(json.loads(other))),  # 7
        other,  # 8
        b'{"messages": "caf\xe9"}',  # 9: Latin-1, not UTF-8
        '{"messages": [{"role": "user", "content": "cut sh',  # 10: torn last line
    ]
    dataset = copy_dataset(generated, folder)
    encoded = [line if isinstance(line, bytes) else line.encode() for line in lines]
    dataset.write_bytes(b"\n".join(encoded))  # no newline at the end: torn
    expected = {
        1: "ok",
        2: "not JSON",
        4: "NUL bytes",
        5: "a JSON array, not a record object",
        6: "trace.calls[0].request.args: missing",
        7: "trace.calls[3].component: 'ledger' is not in the sandbox",
        8: "ok",
        9: "not UTF-8 text (byte 17)",
        10: "torn last line",
    }
    return dataset, expected


def test_every_bad_line_is_reported_with_its_number_and_the_run_goes_on(
    generated: Path, tmp_path: Path
) -> None:
    dataset, expected = bad_lines_file(generated, tmp_path)
    report = verify_dataset(dataset)
    assert [s.line for s in report.samples] == list(expected)
    for sample in report.samples:
        if expected[sample.line] == "ok":
            assert sample.status == Status.OK, sample.detail
        else:
            assert sample.status == Status.INVALID and expected[sample.line] in sample.detail, sample
    assert report.count(Status.INVALID) == 7 and not report.passed


def test_cli_reports_bad_lines_and_exits_1(generated: Path, tmp_path: Path) -> None:
    dataset, expected = bad_lines_file(generated, tmp_path)
    result = cli(dataset)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    for number, reason in expected.items():
        (line,) = [text for text in lines if text.startswith(f"line {number:>5} ")]
        assert reason in line if reason != "ok" else line.rstrip().endswith(" ok"), line
    assert (
        lines[-1]
        == "2/9 records ok (messages agree with the trace, replayed exactly), 0 mismatch, 0 skipped, 7 invalid"
    )
    report = json.loads(cli(dataset, "--json").stdout)
    assert report["passed"] is False
    assert report["counts"] == {"ok": 2, "mismatch": 0, "skipped": 0, "invalid": 7}
    assert {r["line"]: r["status"] for r in report["records"]}[7] == "invalid"


def test_cli_exit_0_when_everything_passes(generated: Path, tmp_path: Path) -> None:
    result = cli(copy_dataset(generated, tmp_path), "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        result.stdout.strip()
        == "2/2 records ok (messages agree with the trace, replayed exactly), 0 mismatch, 0 skipped, 0 invalid"
    )


def test_cli_exit_1_on_a_tampered_record(generated: Path, tmp_path: Path) -> None:
    first, second = records_of(generated)
    first["messages"][3]["content"] = "[]"
    result = cli(copy_dataset(generated, tmp_path, [json.dumps(first), json.dumps(second)]), "--json")
    assert result.returncode == 1
    (record, _) = json.loads(result.stdout)["records"]
    assert record["status"] == "mismatch"
    assert record["problems"][0] == {
        "severity": "mismatch",
        "where": "messages[3].content",
        "what": "is not what trace.calls[0] returned",
        "expected": '["big.txt", "config.json", "src/app.py"]',
        "found": "[]",
    }


def test_cli_exit_2_when_the_input_cannot_be_read(generated: Path, tmp_path: Path) -> None:
    missing = cli(tmp_path / "nope.jsonl")
    assert missing.returncode == 2 and missing.stderr.strip().startswith("error: dataset")
    assert len(missing.stderr.strip().splitlines()) == 1
    # traces to replay, but the run's run.json is not next to the dataset
    alone = tmp_path / "alone" / "d.jsonl"
    alone.parent.mkdir()
    alone.write_text(generated.read_text())
    result = cli(alone)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {alone} holds traces to replay, but the run's d.run.json is not next to it (pass --run-json)"
    ]
    assert cli(alone, "--run-json", tmp_path / "none.run.json").returncode == 2


def test_cli_no_records_is_a_failure(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    result = cli(empty)
    assert result.returncode == 1 and "nothing verified" in result.stdout


def test_a_deepfabric_format_file_has_nothing_to_replay(generated: Path, tmp_path: Path) -> None:
    # DeepFabric writes messages and tools only: no trace, no run.json
    records = [{"messages": r["messages"], "tools": r["tools"]} for r in records_of(generated)]
    dataset = tmp_path / "deepfabric.jsonl"
    dataset.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = cli(dataset)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all("skipped  no trace: nothing to replay" in line for line in lines[:2])
    assert lines[-1] == (
        "nothing to replay: none of the 2 records carries a trace (messages and tools only, as DeepFabric writes them)"
    )
    report = json.loads(cli(dataset, "--json").stdout)
    assert [r["skip"] for r in report["records"]] == ["no_trace", "no_trace"]
