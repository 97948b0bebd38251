"""`tracefabric push` through the real huggingface_hub client, against a fake Hub on 127.0.0.1."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.export.fake_hub import TOKEN, FakeHub, running
from tests.scripted import provider, qa_responder
from tracefabric import generate
from tracefabric.hub import PushError, push
from tracefabric.split import split_dataset


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    fake = FakeHub()
    with running(fake) as url:
        monkeypatch.setenv("HF_ENDPOINT", url)
        monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
        monkeypatch.delenv("HF_TOKEN", raising=False)
        yield fake
    assert fake.unknown == []  # every route the client called is one the fake knows


def front_matter(card: str) -> dict:
    return yaml.safe_load(card.split("---\n")[1])


def test_push_uploads_the_export_and_card_in_one_commit(
    hub: FakeHub, agent_dataset: Path, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    splits = split_dataset(agent_dataset, tmp_path / "splits", validation=0.25, test=0.25, seed=1)
    report = push(tmp_path / "splits", "alice/agent-traces", token=TOKEN, private=True, license="apache-2.0")
    assert hub.repos["alice/agent-traces"].private is True
    assert len(hub.commits) == 1 and report.commit and report.url.endswith(report.commit)
    files = hub.files("alice/agent-traces")
    assert sorted(files) == [
        "README.md",
        "data/test-00000-of-00001.parquet",
        "data/train-00000-of-00001.parquet",
        "data/validation-00000-of-00001.parquet",
    ]
    for name, count in splits.sizes.items():
        table = pq.read_table(io.BytesIO(files[f"data/{name}-00000-of-00001.parquet"]))
        assert table.num_rows == count
    card = files["README.md"].decode()
    matter = front_matter(card)
    assert matter["license"] == "apache-2.0"
    assert {"tool-calling", "agent", "synthetic"} <= set(matter["tags"])
    assert matter["configs"][0]["data_files"] == [
        {"split": name, "path": f"data/{name}-*"} for name in ("train", "validation", "test")
    ]
    assert [s["name"] for s in matter["dataset_info"]["splits"]] == ["train", "validation", "test"]
    assert {f["name"] for f in matter["dataset_info"]["features"]} == {
        "messages",
        "tools",
        "reasoning",
        "metadata",
        "trace",
    }
    run = json.loads(agent_dataset.with_name("agent.run.json").read_text())
    assert f"`{run['config_hash']}`" in card and "tracefabric 0.1.0" in card
    assert "| tool errors seen | FileNotFound 4 |" in card and 'load_dataset("alice/agent-traces")' in card
    assert hub.validated and hub.validated[-1] == card  # the client had the Hub check the YAML


def test_a_second_push_replaces_the_data_and_revisions_are_branches(
    hub: FakeHub, agent_dataset: Path, tmp_path: Path
) -> None:
    split_dataset(agent_dataset, tmp_path / "splits", validation=0.25, test=0.25)
    push(tmp_path / "splits", "alice/d", token=TOKEN)
    push(agent_dataset, "alice/d", token=TOKEN)  # one split now: the old shards go in the same commit
    assert sorted(hub.files("alice/d")) == ["README.md", "data/train-00000-of-00001.parquet"]
    assert sorted(hub.commits[1]["deleted"]) == [
        "data/test-00000-of-00001.parquet",
        "data/validation-00000-of-00001.parquet",
    ]
    push(agent_dataset, "alice/d", token=TOKEN, revision="v2", drop=["trace"])
    assert set(hub.repos["alice/d"].branches) == {"main", "v2"} and hub.commits[-1]["revision"] == "v2"
    assert "name: trace" not in hub.files("alice/d", "v2")["README.md"].decode()


def test_dry_run_writes_the_folder_only(hub: FakeHub, agent_dataset: Path) -> None:
    report = push(agent_dataset, "alice/d", dry_run=True)
    assert hub.requests == [] and report.url is None
    assert report.folder == agent_dataset.with_suffix(".hf")
    assert (report.folder / "README.md").is_file()


def test_refused_token_is_one_line_and_never_printed(
    hub: FakeHub, agent_dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(PushError, match="401"):
        push(agent_dataset, "alice/d", token="hf_wrong_token_value")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracefabric.cli.main",
            "push",
            str(agent_dataset),
            "alice/d",
            "--token",
            "hf_wrong_token_value",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert len(run.stderr.strip().splitlines()) == 1 and run.stderr.startswith("error: push to alice/d:")
    assert "hf_wrong_token_value" not in run.stderr + run.stdout
    with running(FakeHub()) as gone:
        pass  # the server is stopped: nothing listens there any more
    monkeypatch.setenv("HF_ENDPOINT", gone)
    with pytest.raises(PushError, match="push to alice/d: "):
        push(agent_dataset, "alice/d", token=TOKEN)
    bad = subprocess.run(
        [sys.executable, "-m", "tracefabric.cli.main", "push", str(agent_dataset), "not-a-repo-id"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "is not of the form 'owner/name'" in bad.stderr


def test_a_run_with_a_hub_section_pushes_when_it_completes(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DeepFabric's `huggingface:` section translates to `hub:` and pushes after the run."""
    from tracefabric.config.loader import config_from_dict

    monkeypatch.setenv("HF_TOKEN", TOKEN)  # the library's usual token lookup
    loaded = config_from_dict(
        {
            "topics": {"prompt": "Python basics", "depth": 1, "degree": 2},
            "generation": {"conversation": {"type": "basic"}, "sample_retries": 1},
            "output": {"save_as": str(tmp_path / "data.jsonl"), "num_samples": 2},
            "llm": {"provider": "scripted"},
            "huggingface": {"repository": "bob/python-basics", "tags": ["python"]},
        }
    )
    assert loaded.translated_from == "deepfabric-4"
    assert loaded.config.hub is not None and loaded.config.hub.repo_id == "bob/python-basics"
    summary = generate(loaded, provider_factory=provider(qa_responder()))
    assert summary.status == "completed"
    assert any(note.startswith("pushed 2 records to bob/python-basics") for note in summary.notes)
    card = hub.files("bob/python-basics")["README.md"].decode()
    assert "python" in front_matter(card)["tags"] and "| records | 2 of 2 (completed) |" in card
    # the hub section is not part of the config hash: the dataset resumes as before
    plain = config_from_dict({**loaded.config.model_dump(mode="json"), "hub": None})
    from tracefabric.run.provenance import config_hash

    assert config_hash(plain.config) == config_hash(loaded.config)
