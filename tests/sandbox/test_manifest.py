"""The manifest: Spin v2 form, validated with errors that name the field; variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracefabric.errors import ConfigError
from tracefabric.sandbox.manifest import VariableResolver, load_manifest, parse_manifest

BASE = """
spin_manifest_version = 2
[application]
name = "t"
[[trigger.http]]
route = "/x/..."
component = "x"
[component.x]
source = "x.wasm"
"""


def parse(text: str):
    return parse_manifest(text, source="spin.toml", base_dir=Path("/base"))


def test_builtin_manifest_is_deny_by_default() -> None:
    manifest = load_manifest()
    vfs = manifest.component["vfs"]
    assert vfs.key_value_stores == ["default"]
    assert vfs.allowed_outbound_hosts == []
    assert manifest.route_prefix("vfs") == "/vfs"


def test_defaults_and_relative_source() -> None:
    manifest = parse(BASE)
    assert manifest.component["x"].key_value_stores == []
    assert manifest.component["x"].deterministic is True
    assert manifest.resolve_path("x.wasm") == Path("/base/x.wasm")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[component.x.nonsense]\na = 1\n", "component.x.nonsense: unknown key"),
        ("[component.y]\nsource='y'\nfuel = -1\n", "component.y.fuel"),
        ('[component.y]\nsource="y"\nkey_value_stores = ["Bad Label"]\n', "component.y.key_value_stores"),
        (
            '[component.y]\nsource="y"\nshared_key_value_stores = ["s"]\n',
            "must also be listed in key_value_stores",
        ),
        ('[[trigger.http]]\nroute = "/z/..."\ncomponent = "nope"\n', "unknown component 'nope'"),
        ('[[trigger.http]]\nroute = "/x/..."\ncomponent = "x"\n', "used by both"),
    ],
)
def test_errors_name_the_field(extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        parse(BASE + extra)


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="invalid TOML"):
        parse("spin_manifest_version = = 2")
    with pytest.raises(ConfigError, match="does not exist"):
        load_manifest(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="spin_manifest_version"):
        parse(BASE.replace("= 2", "= 1", 1))


def test_variables_resolution_order() -> None:
    manifest = parse(
        BASE
        + """
[variables]
token = { default = "dflt", secret = true, env = ["GITHUB_TOKEN"] }
needed = { required = true }
[component.x.variables]
auth = "Bearer {{ token }}"
"""
    )
    assert VariableResolver(manifest, environ={}).component_variables("x") == {"auth": "Bearer dflt"}
    env = {"GITHUB_TOKEN": "from-gh"}
    assert VariableResolver(manifest, environ=env).application("token") == "from-gh"
    env["SPIN_VARIABLE_TOKEN"] = "from-spin"
    assert VariableResolver(manifest, environ=env).application("token") == "from-spin"
    env["TRACEFABRIC_VARIABLE_TOKEN"] = "from-tf"
    assert VariableResolver(manifest, environ=env).application("token") == "from-tf"
    assert VariableResolver(manifest, {"token": "override"}, environ=env).application("token") == "override"
    assert VariableResolver(manifest, environ=env).secrets() == ["from-tf"]
    with pytest.raises(ConfigError, match="TRACEFABRIC_VARIABLE_NEEDED"):
        VariableResolver(manifest, environ={}).application("needed")
