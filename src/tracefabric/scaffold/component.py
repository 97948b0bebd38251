"""`new_component`: scaffold a tool component folder and its manifest entry.

    new_component("weather")                       # ./weather/ + ./spin.toml (Python)
    new_component("inventory", language="c", manifest="tools/spin.toml")

Layout, next to the manifest:

    NAME/src/app.py | NAME/src/app.c   one example tool, written with the guest SDK
    NAME/wit/tool.wit                  reference copy of the WIT world the component targets
    NAME/test_NAME.py                  builds the component and calls its tool (pytest NAME/)
    NAME/.gitignore                    the built NAME.wasm

Builds use the world installed with tracefabric (the one the host links against and the
SDKs are written for); `tracefabric component build` warns if the copy goes stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from tracefabric.errors import ConfigError
from tracefabric.sandbox.manifest.model import NAME_RE

from .manifest import planned_manifest, write_atomically

LANGUAGES = ("python", "c")
PLACEHOLDER = "__component__"
MANIFEST_PLACEHOLDER = "__manifest__"
EXAMPLE_TOOL = "convert_temperature"
EXAMPLE_ARGS = '{"value": 100, "from_unit": "C", "to_unit": "F"}'
SOURCES = {"python": ("python/app.py", "src/app.py"), "c": ("c/app.c", "src/app.c")}


@dataclass
class Scaffold:
    name: str
    language: str
    folder: Path
    manifest: Path
    manifest_created: bool
    files: list[Path] = field(default_factory=list)

    @property
    def example_tool(self) -> str:
        return EXAMPLE_TOOL

    @property
    def example_args(self) -> str:
        return EXAMPLE_ARGS


def _template(relative: str) -> str:
    return resources.files("tracefabric.scaffold").joinpath("templates", relative).read_text()


def _installed_wit() -> str:
    return resources.files("tracefabric.sandbox").joinpath("wit", "tool.wit").read_text()


def new_component(
    name: str,
    *,
    language: str = "python",
    manifest: str | Path = "spin.toml",
    description: str | None = None,
) -> Scaffold:
    """Create NAME/ next to `manifest` and add NAME to it (creating the manifest if needed)."""
    if not NAME_RE.match(name):
        raise ConfigError(
            f"component name {name!r} must start with a lower-case letter and use only a-z, 0-9, '-' and '_'"
        )
    if language not in LANGUAGES:
        raise ConfigError(f"--lang {language!r}: choose one of {', '.join(LANGUAGES)}")
    manifest_path = Path(manifest)
    folder = manifest_path.parent / name
    if folder.exists():
        raise ConfigError(f"{folder} already exists: choose another name or remove it")
    text, created = planned_manifest(manifest_path, name, language, description or f"{name} tools")

    def render(template: str) -> str:
        return template.replace(PLACEHOLDER, name).replace(MANIFEST_PLACEHOLDER, manifest_path.name)

    template, target = SOURCES[language]
    files = {
        folder / target: render(_template(template)),
        folder / "wit" / "tool.wit": _installed_wit(),
        folder / f"test_{name.replace('-', '_')}.py": render(_template("test_component.py")),
        folder / ".gitignore": "*.wasm\n__pycache__/\n",
    }
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    write_atomically(manifest_path, text)  # last: a failure above leaves the manifest untouched
    return Scaffold(name, language, folder, manifest_path, created, [*files, manifest_path])
