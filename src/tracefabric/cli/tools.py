"""`tracefabric tools list|call`: see what a manifest exposes, run one call for debugging."""

from __future__ import annotations

import json
import sys
import uuid
from typing import Any

import click

from .lazy import LazyGroup

MANIFEST_OPTION = click.option(
    "--manifest",
    "-m",
    type=click.Path(dir_okay=False),
    default=None,
    help="Manifest file (default: built-in).",
)
ENABLE_OPTION = click.option("--enable", "-e", multiple=True, help="Turn on a component that ships disabled.")
DATA_DIR_OPTION = click.option(
    "--data-dir", type=click.Path(file_okay=False), default=None, help="Where key-value stores live."
)


@click.group(
    cls=LazyGroup,
    lazy_commands={"import": "tracefabric.cli.tools_import:import_tools"},
    context_settings={"help_option_names": ["-h", "--help"]},
)
def tools() -> None:
    """List and call the tools a manifest exposes."""


def _host(manifest: str | None, enable: tuple[str, ...], data_dir: str | None) -> Any:
    from tracefabric.sandbox.host import SandboxHost

    return SandboxHost(manifest, enable=enable, data_dir=data_dir, pool_size=0)


@tools.command("list")
@MANIFEST_OPTION
@ENABLE_OPTION
@DATA_DIR_OPTION
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (tools with their component and capabilities)."
)
@click.option("--all", "show_all", is_flag=True, help="Include disabled components.")
def list_tools(
    manifest: str | None, enable: tuple[str, ...], data_dir: str | None, as_json: bool, show_all: bool
) -> None:
    """Show every tool with its component and the capabilities the manifest grants.

    A component that cannot be loaded is listed with the reason, and the command exits
    after listing the others: with status 2 when its manifest entry is at fault (source not
    built yet, or not a WebAssembly component), 1 when the component itself fails.

    \b
    Example:
      tracefabric tools list
      tracefabric tools list --manifest examples/components/spin.toml --json
    """
    from tracefabric.errors import ConfigError, SandboxError, TracefabricError

    report: list[dict[str, Any]] = []
    status = 0
    with _host(manifest, enable, data_dir) as host:
        names = list(host.manifest.component) if show_all else host.component_names()
        for name in names:
            info = host.info(name)
            entry: dict[str, Any] = {**info.to_json(), "tools": []}
            if info.enabled:
                try:
                    entry["tools"] = [_tool_entry(tool) for tool in host.tools(name)]
                except SandboxError as exc:
                    entry["error"] = f"{exc.error_type}: {exc.message}"
                    status = max(status, 1)
                except ConfigError as exc:
                    entry["error"] = str(exc)
                    status = 2
                except TracefabricError as exc:
                    entry["error"] = str(exc)
                    status = max(status, 1)
            report.append(entry)
    if as_json:
        click.echo(json.dumps({"components": report}, indent=2, ensure_ascii=False))
    else:
        _print_report(report)
    if status:
        sys.exit(status)


def _tool_entry(tool: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": tool["name"],
        "description": tool.get("description", ""),
        "inputSchema": tool.get("inputSchema"),
    }


def _print_report(report: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    for entry in report:
        stores = ", ".join(
            f"{label} (shared)" if label in entry["shared_key_value_stores"] else label
            for label in entry["key_value_stores"]
        )
        grants = [
            f"stores: {stores or 'none'}",
            f"hosts: {', '.join(entry['allowed_outbound_hosts']) or 'none'}",
            f"variables: {', '.join(entry['variables']) or 'none'}",
        ]
        if not entry["deterministic"]:
            grants.append("not deterministic")
        name = escape(entry["name"])
        state = "" if entry["enabled"] else f" [yellow](disabled: --enable {name})[/]"
        console.print(f"[bold]{name}[/] {escape(entry['route'])}/...{state}  {escape(entry['description'])}")
        console.print("  " + escape(" · ".join(grants)))
        if "error" in entry:
            console.print(f"  [red]cannot load:[/] {escape(entry['error'])}", soft_wrap=True)
        if entry["tools"]:
            table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
            table.add_column("tool")
            table.add_column("arguments")
            table.add_column("description", overflow="fold")
            for tool in entry["tools"]:
                schema = tool.get("inputSchema") or {}
                required = set(schema.get("required", []))
                args = ", ".join(
                    (arg if arg in required else f"{arg}?") for arg in (schema.get("properties") or {})
                )
                description = (tool["description"] or "").split("\n")[0]
                table.add_row(escape(tool["name"]), escape(args), escape(description))
            console.print(table)
        console.print()


@tools.command("call")
@click.argument("component")
@click.argument("tool")
@click.option("--args", "args_json", default="{}", help="Arguments as a JSON object (or @file.json).")
@click.option("--session", "session_id", default=None, help="Session id (default: a new one, ended after).")
@click.option("--namespace", default=None, help="Namespace for components with shared state (e.g. mock).")
@click.option("--trace", is_flag=True, help="Include timing, fuel and the session state digest.")
@click.option("--server", default=None, help="Call a running tool server instead of running in-process.")
@MANIFEST_OPTION
@ENABLE_OPTION
@DATA_DIR_OPTION
def call_tool(
    component: str,
    tool: str,
    args_json: str,
    session_id: str | None,
    namespace: str | None,
    trace: bool,
    server: str | None,
    manifest: str | None,
    enable: tuple[str, ...],
    data_dir: str | None,
) -> None:
    """Run one tool call and print the result as JSON (exit 1 if the tool failed).

    \b
    Example:
      tracefabric tools call vfs write_file --args '{"file_path": "a.txt", "content": "hi"}' --session s1
      tracefabric tools call vfs read_file --args '{"file_path": "a.txt"}' --session s1
    """
    from tracefabric.errors import ConfigError
    from tracefabric.sandbox import Sandbox

    text = args_json
    if text.startswith("@"):
        try:
            with open(text[1:]) as handle:
                text = handle.read()
        except OSError as exc:
            raise ConfigError(f"--args {args_json}: {exc.strerror}") from None
    try:
        args = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"--args is not valid JSON: {exc}") from None
    ephemeral = session_id is None
    session = session_id or f"cli-{uuid.uuid4().hex[:12]}"
    if server:
        sandbox = Sandbox.connect(server)
    else:
        sandbox = Sandbox.in_process(manifest, enable=enable, data_dir=data_dir, pool_size=0)
    with sandbox:
        if not server:
            _load_first(sandbox.transport.host, component)
        try:
            result = sandbox.call(component, tool, args, session, namespace=namespace, trace=trace)
        finally:
            if ephemeral:
                sandbox.end_session(session)
    click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    sys.exit(0 if result.success else 1)


def _load_first(host: Any, component: str) -> None:
    """Load the component before calling it: a manifest entry that cannot load (source missing
    or not a WebAssembly component) is a config error (exit 2), not a failed tool call."""
    if component in host.manifest.component and component in host.enabled:
        host.runtime(component)
