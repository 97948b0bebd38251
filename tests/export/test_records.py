"""One record schema for every kind, documented as JSON Schema and checked against real records."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.scripted import read_jsonl
from tracefabric.dataset import read_records, upgrade_record
from tracefabric.samples import records as records_module
from tracefabric.samples.records import json_schema, validate_record

SCHEMA_FILE = Path(records_module.__file__).with_name("record.schema.json")


def test_schema_file_is_the_models_schema() -> None:
    """The committed file can't drift from the pydantic models (regenerate with
    `python -m tracefabric.samples.records > src/tracefabric/samples/record.schema.json`)."""
    assert json.loads(SCHEMA_FILE.read_text()) == json_schema()


@pytest.mark.parametrize("kind", ["basic", "cot", "agent"])
def test_every_kind_has_the_same_fields_and_types(generated: dict[str, Path], kind: str) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    for record in read_jsonl(generated[kind]):
        jsonschema.validate(record, schema)
        assert validate_record(record) is None
        assert set(record) == {"messages", "tools", "reasoning", "metadata", "trace"}
        assert isinstance(record["tools"], list) and isinstance(record["reasoning"], list)
        metadata = record["metadata"]
        assert metadata["kind"] == kind
        for key, kind_of in (
            ("steps", int),
            ("tool_calls", int),
            ("errors_seen", list),
            ("injected_faults", list),
        ):
            assert isinstance(metadata[key], kind_of)
        if kind == "agent":
            assert record["tools"] and isinstance(record["trace"], dict) and metadata["tool_calls"] == 4
        else:
            assert record["tools"] == [] and record["trace"] is None and metadata["tool_calls"] == 0
        if kind == "cot":
            assert record["reasoning"][0]["thought"] == "First, think. Then answer."


def test_mixed_kinds_load_as_one_table(mixed: Path, tmp_path: Path) -> None:
    """The raw JSONL of all three kinds loads with `datasets` into one table."""
    import datasets

    table = datasets.load_dataset(
        "json", data_files=str(mixed), split="train", cache_dir=str(tmp_path / "hf-cache")
    )
    assert table.num_rows == 14
    assert sorted(set(table["metadata"][i]["kind"] for i in range(table.num_rows))) == [
        "agent",
        "basic",
        "cot",
    ]


def test_old_records_are_upgraded() -> None:
    old = {
        "messages": [{"role": "user", "content": "q?"}, {"role": "assistant", "content": "a"}],
        "reasoning": "think",
        "metadata": {
            "sample_id": "x",
            "slot": "t:0",
            "topic_id": "t",
            "topic_path": ["r", "t"],
            "kind": "cot",
            "provider": "p",
            "model": "m",
            "seed": 0,
            "cycle": 0,
            "attempt": 0,
        },
    }
    assert validate_record(old) is not None
    record = upgrade_record(old)
    assert validate_record(record) is None
    assert record["reasoning"] == [{"step": 1, "thought": "think", "action": "final_answer"}]
    assert record["tools"] == [] and record["trace"] is None and record["metadata"]["tool_calls"] == 0


def test_bad_lines_are_reported_with_their_number(tmp_path: Path, generated: dict[str, Path]) -> None:
    good = generated["basic"].read_text().splitlines()
    broken = json.loads(good[1])
    broken["messages"][1]["role"] = "robot"
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join([good[0], json.dumps(broken), "{not json", good[2]]) + "\n")
    bad = []
    lines = [number for number, _ in read_records(path, on_bad=bad.append)]
    assert lines == [1, 4]
    assert [(b.line, b.problem.split(":")[0]) for b in bad] == [
        (2, "messages.1.role"),
        (3, "not JSON (Expecting property name enclosed in double quotes"),
    ]
    from tracefabric.dataset import DatasetError

    with pytest.raises(DatasetError, match=r"d.jsonl:2: messages.1.role"):
        list(read_records(path, strict=True))
