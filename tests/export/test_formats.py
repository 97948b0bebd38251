"""The export formats, on real records of all three kinds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.export.templates import embedded_model_gguf, write_second_template
from tests.scripted import read_jsonl
from tracefabric.dataset import DatasetError
from tracefabric.export import export
from tracefabric.export.arrow import record_from_row


def test_hf_export_loads_with_datasets_mixing_all_kinds(mixed: Path, tmp_path: Path) -> None:
    import datasets

    out = tmp_path / "hf"
    report = export(mixed, format="hf", out=out)
    assert report.splits == {"train": 14} and report.bad == 0
    assert sorted(p.name for p in (out / "data").iterdir()) == ["train-00000-of-00001.parquet"]
    loaded = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "hf-cache"))
    train = loaded["train"]
    assert train.num_rows == 14
    assert sorted({train[i]["metadata"]["kind"] for i in range(14)}) == ["agent", "basic", "cot"]
    # tools are JSON text per record: a record's tools never gain another's fields
    originals = read_jsonl(mixed)
    for i in range(14):
        row = train[i]
        assert json.loads(row["tools"]) == originals[i]["tools"]
        assert record_from_row(row) == originals[i]  # nothing lost on the way
    assert train.features["tools"].dtype == "string"


def test_hf_tool_schemas_never_merge_across_records(mixed: Path, tmp_path: Path) -> None:
    """Records offering different tools (--tools used) keep their own schemas."""
    import datasets

    out = tmp_path / "hf"
    export(mixed, format="hf", out=out, tools="used")
    train = datasets.load_dataset(str(out), split="train", cache_dir=str(tmp_path / "hf-cache"))
    agent_rows = [r for r in train if r["metadata"]["kind"] == "agent"]
    for row in agent_rows:
        tools = {t["function"]["name"]: t for t in json.loads(row["tools"])}
        assert set(tools) == {"list_files", "read_file", "file_exists"}
        assert "file_path" not in tools["list_files"]["function"]["parameters"]["properties"]
        assert "null" not in row["tools"]


def test_openai_export_and_object_arguments(mixed: Path, tmp_path: Path) -> None:
    export(mixed, format="openai", out=tmp_path / "a.jsonl")
    assert read_jsonl(tmp_path / "a.jsonl") == read_jsonl(mixed)
    export(mixed, format="openai", out=tmp_path / "b.jsonl", arguments="object", drop=["trace", "reasoning"])
    record = read_jsonl(tmp_path / "b.jsonl")[-1]
    assert set(record) == {"messages", "tools", "metadata"}
    call = record["messages"][2]["tool_calls"][0]["function"]
    assert call == {"name": "list_files", "arguments": {}}


def test_sharegpt_follows_llama_factory_rules(mixed: Path, tmp_path: Path) -> None:
    export(mixed, format="sharegpt", out=tmp_path / "s.jsonl")
    rows = read_jsonl(tmp_path / "s.jsonl")
    for row in rows:
        turns = row["conversations"]
        assert len(turns) % 2 == 0
        for position, turn in enumerate(turns):  # LLaMA-Factory's alignment check
            assert turn["from"] in (
                ("human", "observation") if position % 2 == 0 else ("gpt", "function_call")
            )
        assert row["system"].startswith("You are")
        assert isinstance(row["tools"], str)
    agent = rows[-1]
    assert [t["from"] for t in agent["conversations"]] == [
        "human",
        "function_call",
        "observation",
        "function_call",
        "observation",
        "function_call",
        "observation",
        "gpt",
    ]
    calls = json.loads(agent["conversations"][5]["value"])
    assert calls == [
        {"name": "read_file", "arguments": {"file_path": "config.json"}},
        {"name": "file_exists", "arguments": {"file_path": "src/app.py"}},
    ]
    assert "</tool_response>\n<tool_response>" in agent["conversations"][6]["value"]
    assert json.loads(agent["tools"])[0]["name"] == "read_file"  # function definitions, unwrapped


@pytest.mark.parametrize("which", ["embedded", "second"])
def test_text_export_with_real_templates(mixed: Path, tmp_path: Path, which: str) -> None:
    template = embedded_model_gguf() if which == "embedded" else write_second_template(tmp_path)
    export(mixed, format="text", out=tmp_path / "t.jsonl", template=template)
    rows = read_jsonl(tmp_path / "t.jsonl")
    assert len(rows) == 14
    for row in rows:
        assert row["assistant_spans"]
        for start, end in row["assistant_spans"]:
            assert 0 <= start < end <= len(row["text"])
    agent = rows[-1]["text"]
    assert '\\"file_path\\"' not in agent  # arguments written once, as an object
    spans = [rows[-1]["text"][s:e] for s, e in rows[-1]["assistant_spans"]]
    assert spans[-1].startswith("Debug mode is on")
    assert all("<tool_response>" not in s and "ipython" not in s for s in spans)


def test_text_needs_a_template(mixed: Path, tmp_path: Path) -> None:
    from tracefabric.errors import ConfigError

    with pytest.raises(ConfigError, match="--format text needs --template"):
        export(mixed, format="text", out=tmp_path / "t.jsonl")


def test_only_accepted_keys_on_metadata_quality(mixed: Path, tmp_path: Path) -> None:
    records = read_jsonl(mixed)
    records[0]["metadata"]["quality"] = {"accepted": False, "gates": {"judge": "too vague"}}
    records[1]["metadata"]["quality"] = {"accepted": True}
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    report = export(path, format="openai", out=tmp_path / "o.jsonl", only="accepted")
    assert report.written == 13 and report.left_out == 1
    assert report.to_json()["left_out"] == 1
    everything = export(path, format="openai", out=tmp_path / "all.jsonl")
    assert everything.written == 14


def test_bad_records_are_skipped_or_stop_the_export(mixed: Path, tmp_path: Path) -> None:
    lines = mixed.read_text().splitlines()
    broken = json.loads(lines[3])
    broken["reasoning"] = "a string"
    broken["tools"] = {"not": "a list"}
    lines[3] = json.dumps(broken)
    lines.insert(7, '{"messages": "truncated')
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = export(path, format="hf", out=tmp_path / "hf")
    assert report.written == 13 and report.bad == 2
    assert report.bad_first[0].endswith(":4: tools: Input should be a valid list")
    assert ":8: not JSON" in report.bad_first[1]
    out = tmp_path / "strict"
    with pytest.raises(DatasetError, match=r"bad.jsonl:4: tools"):
        export(path, format="hf", out=out, strict=True)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp folder left


def test_a_failed_export_keeps_the_previous_output(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    export(mixed, format="openai", out=out)
    before = out.read_bytes()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(mixed.read_text() + "{oops\n")
    with pytest.raises(DatasetError):
        export(bad, format="openai", out=out, strict=True)
    assert out.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["bad.jsonl", "mixed", "o.jsonl"]  # no temp file left


def test_options_are_checked(mixed: Path, tmp_path: Path) -> None:
    from tracefabric.errors import ConfigError

    with pytest.raises(ConfigError, match="--drop: messages: not a droppable field"):
        export(mixed, format="openai", out=tmp_path / "o", drop=["messages"])
    with pytest.raises(ConfigError, match="--format: 'csv' is not one of"):
        export(mixed, format="csv", out=tmp_path / "o")
    with pytest.raises(ConfigError, match="that is the dataset itself"):
        export(mixed, format="openai", out=mixed)
