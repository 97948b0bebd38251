"""`tracefabric tools import` (alias `tracefabric import-tools`): MCP tools → file and/or server."""

from __future__ import annotations

import json
import sys
from typing import Any

import click


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.UsageError(f"Invalid {option} format: {item} (expected KEY=VALUE)")
        out[key] = value
    return out


@click.command("import", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--transport", type=click.Choice(["stdio", "http"]), required=True, help="How to reach the server."
)
@click.option("--command", "-c", default=None, help="Command that starts the MCP server (stdio; no shell).")
@click.option("--endpoint", "-e", default=None, help="MCP streamable HTTP endpoint URL (http).")
@click.option("--header", multiple=True, help="KEY=VALUE HTTP header (http; repeatable).")
@click.option(
    "--env", multiple=True, help="KEY=VALUE environment variable for the command (stdio; repeatable)."
)
@click.option(
    "--timeout", type=float, default=30.0, show_default=True, help="Seconds to wait for each answer."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write {'tools': [...]} (.json or .yaml).",
)
@click.option(
    "--server", "--spin", "-s", "server", default=None, help="Load the tools into this tool server."
)
@click.option("--token", envvar="TRACEFABRIC_SERVER_TOKEN", default=None, help="Bearer token for --server.")
@click.option("--namespace", "-n", default=None, help="Namespace to load them into [default: default].")
def import_tools(
    transport: str,
    command: str | None,
    endpoint: str | None,
    header: tuple[str, ...],
    env: tuple[str, ...],
    timeout: float,
    output: str | None,
    server: str | None,
    token: str | None,
    namespace: str | None,
) -> None:
    """Fetch the tools of a real MCP server with the official MCP SDK (initialize, then
    tools/list across every page) and write them as an MCP tools/list file, load them into
    a running tool server's mock component, or both. With neither -o nor --server, the
    file is printed.

    \b
    Example:
      tracefabric tools import --transport stdio --command "python server.py" -o tools.json
      tracefabric tools import --transport http --endpoint http://127.0.0.1:8000/mcp \\
          --header "Authorization=Bearer $TOKEN" -o tools.yaml --server http://127.0.0.1:3000 --namespace shop
    """
    from tracefabric.mock.mcp_client import MCPImportError, fetch_tools_http, fetch_tools_stdio

    if transport == "stdio" and not command:
        raise click.UsageError("--command is required for stdio transport")
    if transport == "http" and not endpoint:
        raise click.UsageError("--endpoint is required for http transport")
    if namespace is not None and not server:
        raise click.UsageError("--namespace needs --server (or load the file with `tracefabric mock load`)")
    if timeout <= 0:
        raise click.UsageError("--timeout must be positive")
    headers = _pairs(header, "header")
    environment = _pairs(env, "env")
    try:
        if transport == "stdio":
            imported = fetch_tools_stdio(command or "", env=environment, timeout=timeout)
        else:
            imported = fetch_tools_http(endpoint or "", headers=headers, timeout=timeout)
    except MCPImportError as exc:
        raise click.ClickException(f"Failed to import tools: {exc.message}") from None

    # The tool list goes to stdout when nothing else is asked for; messages go to stderr then.
    to_stdout = output is None and server is None
    say = (lambda text: click.echo(text, err=True)) if to_stdout else click.echo
    origin = imported.server.get("name") or (command if transport == "stdio" else endpoint)
    if not imported.tools:
        say(f"warning: no tools found on MCP server {origin}")
    else:
        pages = f", {imported.pages} pages" if imported.pages > 1 else ""
        say(f"Imported {len(imported.tools)} tools from {origin}{pages}:")
        for tool in imported.tools:
            params = len((tool.get("inputSchema") or {}).get("properties") or {})
            description = (tool.get("description") or "").split("\n")[0]
            if len(description) > 60:
                description = description[:60] + "..."
            say(f"  - {tool['name']} ({params} params): {description}")
    if output is not None:
        from tracefabric.mock.files import write_tools

        write_tools(output, imported.tools)
        say(f"Saved {len(imported.tools)} tools to {output}")
    if server is not None and imported.tools:
        _push(server, token, namespace, imported.tools, say)
    if to_stdout:
        sys.stdout.write(json.dumps(imported.document(), indent=2, ensure_ascii=False) + "\n")


def _push(
    server: str, token: str | None, namespace: str | None, tools: list[dict[str, Any]], say: Any
) -> None:
    from tracefabric.sandbox import Sandbox

    # `load-schema` is the route DeepFabric's tools-sdk serves too, so --spin works against either.
    with Sandbox.connect(server, token=token) as sandbox:
        result = sandbox.manage("mock", "load-schema", {"tools": tools}, namespace=namespace)
    where = f" (namespace {namespace!r})" if namespace else ""
    say(f"Pushed {result.get('loaded', len(tools))} tools to tool server at {server}{where}")
