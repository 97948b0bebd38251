"""`tracefabric component new|build|wit`: write your own tool components, in Python or C."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

MANIFEST_OPTION = click.option(
    "--manifest",
    "-m",
    type=click.Path(dir_okay=False),
    default="spin.toml",
    show_default=True,
    help="The manifest (Spin's spin.toml format).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def component() -> None:
    """Scaffold, build and inspect your own tool components."""


@component.command(
    "new", short_help="Scaffold a component: an example tool, its WIT world, a manifest entry, a test."
)
@click.argument("name")
@click.option(
    "--lang",
    "language",
    type=click.Choice(["python", "c"]),
    default="python",
    show_default=True,
    help="Language of the component.",
)
@MANIFEST_OPTION
@click.option("--description", "-d", default=None, help="One line shown by `tracefabric tools list`.")
def new(name: str, language: str, manifest: str, description: str | None) -> None:
    """Scaffold component NAME: one example tool, its WIT world, a manifest entry and a test.

    The folder NAME/ is created next to the manifest. An existing manifest gets the new
    entry appended (nothing else in it changes); a missing one is created with the built-in
    virtual filesystem. The entry grants no capabilities.

    \b
    Example:
      tracefabric component new weather
      tracefabric component new inventory --lang c --manifest tools/spin.toml
    """
    from tracefabric.scaffold import new_component

    scaffold = new_component(name, language=language, manifest=manifest, description=description)
    click.echo(f"Created component {name!r} ({language}):")
    for path in scaffold.files:
        note = _NOTES.get(path.name, "")
        if path.name.startswith("test_"):
            note = "a test: builds the component and calls its tool"
        if path == scaffold.manifest:
            created = "created, with the built-in vfs"
            note = created if scaffold.manifest_created else f"[component.{name}] appended"
        click.echo(f"  {_display(path):<40} {note}")
    manifest_arg = "" if Path(manifest) == Path("spin.toml") else f" --manifest {shlex.quote(manifest)}"
    click.echo("Next:")
    click.echo(f"  tracefabric component build {name}{manifest_arg}")
    click.echo(
        f"  tracefabric tools call {name} {scaffold.example_tool} --args {shlex.quote(scaffold.example_args)}"
        f" --manifest {shlex.quote(str(scaffold.manifest))}"
    )
    click.echo(f"  pytest {_display(scaffold.folder)}/")


_NOTES = {
    "app.py": "the tools (edit me)",
    "app.c": "the tools (edit me)",
    "tool.wit": "the WIT world it targets (reference copy)",
    ".gitignore": "keeps the built .wasm out of git",
}


@component.command("build", short_help="Run the components' build commands (Spin semantics).")
@click.argument("names", nargs=-1)
@MANIFEST_OPTION
@click.option("--verbose", "-v", is_flag=True, help="Show the build commands' output as it comes.")
def build(names: tuple[str, ...], manifest: str, verbose: bool) -> None:
    """Run the build command of each component (all that have one, or NAMES).

    Spin's `[component.NAME.build]` semantics: `command` runs through the shell in
    `workdir` (relative to the manifest). A failing build prints the command and its
    output and exits non-zero; a missing toolchain names what to install.

    \b
    Example:
      tracefabric component build
      tracefabric component build weather --manifest tools/spin.toml -v
    """
    from tracefabric.errors import ConfigError
    from tracefabric.sandbox.build import build_components

    if not Path(manifest).exists():
        raise ConfigError(f"manifest {manifest} does not exist (pass --manifest FILE)")
    stream = (lambda line: click.echo(f"    {line}")) if verbose else None
    outcomes = build_components(manifest, names, echo=click.echo, stream=stream)
    if not outcomes:
        click.echo(f"nothing to build: no component in {manifest} has a [component.NAME.build] section")


@component.command("wit", short_help="Print the WIT world every component targets.")
@click.option("--path", "show_path", is_flag=True, help="Print the file's location instead of its text.")
def wit(show_path: bool) -> None:
    """Print the WIT world every component targets (tracefabric:tool).

    \b
    Example:
      tracefabric component wit > weather/wit/tool.wit
    """
    from tracefabric.sandbox.build import wit_dir

    path = wit_dir() / "tool.wit"
    click.echo(str(path) if show_path else path.read_text(), nl=show_path)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
