"""`tracefabric component new`: files, manifest entries, and the scaffold → build → call round trip."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tracefabric.sandbox.build import wit_dir
from tracefabric.sandbox.manifest import load_manifest

from .conftest import EXAMPLES, run_cli

CONVERT_ARGS = '{"value": 100, "from_unit": "C", "to_unit": "F"}'


def test_new_python_component_scaffolds_source_wit_test_and_manifest(tmp_path: Path) -> None:
    result = run_cli("component", "new", "notes", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "notes"
    app = (folder / "src" / "app.py").read_text()
    assert 'Component("notes")' in app
    assert "@component.tool(" in app and '"inputSchema"' not in app and "input_schema=" in app
    assert "WitWorld = component.export()" in app
    assert (folder / "wit" / "tool.wit").read_text() == (wit_dir() / "tool.wit").read_text()
    assert (
        'MANIFEST = Path(__file__).resolve().parent.parent / "spin.toml"'
        in (folder / "test_notes.py").read_text()
    )

    manifest = load_manifest(tmp_path / "spin.toml")
    config = manifest.component["notes"]
    assert config.source == "notes/notes.wasm"
    assert (config.key_value_stores, config.allowed_outbound_hosts, config.variables) == ([], [], {})
    assert config.build is not None
    assert config.build.command == "python -m tracefabric.sandbox.build python src --module app -o notes.wasm"
    assert config.build.workdir == "notes"
    assert manifest.route_prefix("notes") == "/notes"
    assert manifest.component["vfs"].source == "builtin:vfs"  # a new manifest starts with the built-in vfs
    assert "tracefabric component build notes" in result.stdout


def test_new_appends_to_an_existing_manifest_and_changes_nothing_else(tmp_path: Path) -> None:
    original = (EXAMPLES / "spin.toml").read_text()
    manifest_path = tmp_path / "tools.toml"
    manifest_path.write_text(original)
    result = run_cli(
        "component", "new", "thermo", "--lang", "c", "--manifest", str(manifest_path), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    updated = manifest_path.read_text()
    assert updated.startswith(original.rstrip("\n") + "\n")  # a targeted edit: the old text is untouched
    manifest = load_manifest(manifest_path)
    assert set(manifest.component) == {"inventory", "thermo"}
    config = manifest.component["thermo"]
    assert config.build is not None and config.build.command.startswith(
        "python -m tracefabric.sandbox.build c "
    )
    assert (config.key_value_stores, config.allowed_outbound_hosts, config.variables) == ([], [], {})
    assert 'TF_COMPONENT("thermo", TOOLS);' in (tmp_path / "thermo" / "src" / "app.c").read_text()
    assert 'parent / "tools.toml"' in (tmp_path / "thermo" / "test_thermo.py").read_text()


def test_new_refuses_to_overwrite_a_component_or_a_folder(tmp_path: Path) -> None:
    assert run_cli("component", "new", "notes", cwd=tmp_path).returncode == 0
    before = (tmp_path / "spin.toml").read_text()
    again = run_cli("component", "new", "notes", cwd=tmp_path)
    assert again.returncode == 2
    assert "already exists" in again.stderr
    (tmp_path / "taken").mkdir()
    taken = run_cli("component", "new", "taken", cwd=tmp_path)
    assert taken.returncode == 2 and "already exists" in taken.stderr
    assert (tmp_path / "spin.toml").read_text() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad Name"], "component name 'Bad Name'"),
        (["ok", "--lang", "cobol"], "'cobol' is not one of"),
    ],
)
def test_new_rejects_bad_input_with_one_clear_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_cli("component", "new", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "spin.toml").exists()


def test_a_manifest_that_cannot_take_the_entry_is_left_alone(tmp_path: Path) -> None:
    manifest_path = tmp_path / "spin.toml"
    manifest_path.write_text(
        'spin_manifest_version = 2\ntrigger = { http = [{ route = "/a/...", component = "a" }] }\n'
        '[application]\nname = "x"\n[component.a]\nsource = "a.wasm"\n'
    )
    before = manifest_path.read_text()
    result = run_cli("component", "new", "notes", cwd=tmp_path)
    assert result.returncode == 2
    assert "add this by hand" in result.stderr and "[component.notes]" in result.stderr
    assert manifest_path.read_text() == before
    assert not (tmp_path / "notes").exists()


def test_python_scaffold_build_and_tools_call_round_trip(python_project: Path) -> None:
    manifest = str(python_project / "spin.toml")
    ok = run_cli(
        "tools", "call", "weather", "convert_temperature", "--args", CONVERT_ARGS, "--manifest", manifest
    )
    assert ok.returncode == 0, ok.stderr
    answer = json.loads(ok.stdout)
    assert answer["success"] is True
    assert json.loads(answer["result"]) == {"value": 212.0, "unit": "F"}

    below = '{"value": -500, "from_unit": "C", "to_unit": "K"}'
    failed = run_cli(
        "tools", "call", "weather", "convert_temperature", "--args", below, "--manifest", manifest
    )
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["error_type"] == "InvalidArguments"


def test_the_scaffolded_python_test_passes(python_project: Path) -> None:
    result = _pytest(python_project / "weather")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_c_scaffold_build_and_tools_call_round_trip(c_toolchain: None, tmp_path: Path) -> None:
    assert run_cli("component", "new", "thermo", "--lang", "c", cwd=tmp_path).returncode == 0
    built = run_cli("component", "build", "thermo", cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "[1/1] built thermo" in built.stdout
    manifest = str(tmp_path / "spin.toml")
    call = run_cli(
        "tools", "call", "thermo", "convert_temperature", "--args", CONVERT_ARGS, "--manifest", manifest
    )
    assert call.returncode == 0, call.stderr
    assert json.loads(json.loads(call.stdout)["result"]) == {"value": 212, "unit": "F"}
    result = _pytest(tmp_path / "thermo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def _pytest(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
        cwd=folder.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
