"""The manifest side of scaffolding: a new `spin.toml`, or an entry appended to an existing one.

An existing manifest is never rewritten: the new component's tables are appended at the
end (comments, order and formatting of everything else stay byte for byte), and the
result is validated before anything is written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from tracefabric.errors import ConfigError
from tracefabric.sandbox.manifest import parse_manifest

BUILD_COMMANDS = {
    "python": "python -m tracefabric.sandbox.build python src --module app -o {name}.wasm",
    "c": "python -m tracefabric.sandbox.build c -o {name}.wasm src/app.c",
}
WATCH = {"python": "src/**/*.py", "c": "src/**/*.[ch]"}


def component_entry(name: str, language: str, description: str) -> str:
    """The TOML for one component: its route, its entry (no capabilities granted) and its build."""
    command = BUILD_COMMANDS[language].format(name=name)
    return f"""
# --- {name}: added by `tracefabric component new` ---
[[trigger.http]]
route = "/{name}/..."
component = "{name}"

[component.{name}]
source = "{name}/{name}.wasm"
description = {_toml_string(description)}
# Nothing is granted: each capability the tools use must be listed here, or calls using it
# fail with error_type "CapabilityDenied". For example:
#   key_value_stores = ["default"]
#   allowed_outbound_hosts = ["https://api.example.com"]
#   variables = {{ api_key = "{{{{ api_key }}}}" }}   (and declare api_key under [variables])
key_value_stores = []
allowed_outbound_hosts = []

[component.{name}.build]
command = "{command}"
workdir = "{name}"
watch = ["{WATCH[language]}"]
"""


def new_manifest(application: str) -> str:
    """A fresh manifest with the built-in virtual filesystem, so agents can combine it with new tools."""
    return f"""# tracefabric manifest, in Spin's spin.toml (v2) form. Every capability a component has is
# granted here; anything not listed is denied. See docs/components.md.
spin_manifest_version = 2

[application]
name = {_toml_string(application)}
version = "0.1.0"
description = "Tool components"

# The built-in session-isolated virtual filesystem.
[[trigger.http]]
route = "/vfs/..."
component = "vfs"

[component.vfs]
source = "builtin:vfs"
description = "Session-isolated virtual filesystem"
key_value_stores = ["default"]
"""


def application_name(folder: Path) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", folder.resolve().name.lower()).strip("-")
    return name or "tools"


def planned_manifest(path: Path, name: str, language: str, description: str) -> tuple[str, bool]:
    """(the manifest's new text, whether it is a new file). Nothing is written."""
    entry = component_entry(name, language, description)
    if path.exists():
        try:
            current = path.read_text()
        except OSError as exc:
            raise ConfigError(f"manifest {path}: {exc.strerror}") from None
        manifest = parse_manifest(current, source=str(path), base_dir=path.parent)
        if name in manifest.component:
            raise ConfigError(f"component {name!r} already exists in {path}")
        text = current.rstrip("\n") + "\n" + entry
        created = False
    else:
        text = new_manifest(application_name(path.parent)) + entry
        created = True
    try:
        parse_manifest(text, source=str(path), base_dir=path.parent)
    except ConfigError as exc:
        hint = f"add this by hand:\n{entry}"
        raise ConfigError(f"cannot add {name!r} to {path} automatically ({exc}); {hint}") from None
    return text, created


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.tmp{os.getpid()}")
    staged.write_text(text)
    if path.exists():
        os.chmod(staged, path.stat().st_mode & 0o7777)
    os.replace(staged, path)


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch >= " " else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}"'
