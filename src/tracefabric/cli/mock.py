"""`tracefabric mock ...`: load MCP tool schemas and mock data, add fixtures, set faults.

Every command works on the local data dir (in-process, like the Python API) or against a
running tool server (`--server URL`), in one namespace (`--namespace`, default `default`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click


def _options(func: Callable[..., Any]) -> Callable[..., Any]:
    decorators = [
        click.option(
            "--namespace", "-n", default="default", show_default=True, help="Namespace of the tools."
        ),
        click.option(
            "--server", "--spin", "server", default=None, help="A running tool server (default: local)."
        ),
        click.option(
            "--token", envvar="TRACEFABRIC_SERVER_TOKEN", default=None, help="Bearer token for --server."
        ),
        click.option(
            "--manifest", "-m", type=click.Path(dir_okay=False), default=None, help="Manifest (local)."
        ),
        click.option("--data-dir", type=click.Path(file_okay=False), default=None, help="Data dir (local)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@contextmanager
def _mock(options: dict[str, Any]) -> Iterator[Any]:
    from tracefabric.mock import MockTools
    from tracefabric.sandbox import Sandbox

    if options["server"]:
        sandbox = Sandbox.connect(options["server"], token=options["token"])
    else:
        sandbox = Sandbox.in_process(options["manifest"], data_dir=options["data_dir"], pool_size=0)
    with sandbox:
        yield MockTools(sandbox, options["namespace"])


def _json_value(text: str, what: str) -> Any:
    """A JSON value from text or @file."""
    from tracefabric.errors import ConfigError

    if text.startswith("@"):
        from tracefabric.mock import read_document

        return read_document(text[1:])
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ConfigError(
            f"{what} is not valid JSON ({exc}); use @FILE to read a JSON or YAML file"
        ) from None


def _pairs(values: tuple[str, ...], option: str, parse: Callable[[str], Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.UsageError(f"invalid {option} {item!r} (expected KEY=VALUE)")
        out[key] = parse(value)
    return out


def _loose(value: str) -> Any:
    """`42` → 42, `true` → True, `"42"` → "42", anything that isn't JSON → the text itself."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def mock() -> None:
    """Mock tools from MCP schemas: responses you shape, realistic failures.

    \b
    Example:
      tracefabric tools import --transport stdio --command "python server.py" -o tools.json
      tracefabric mock load tools.json mock-data.yaml --namespace payments
      tracefabric mock fixture add get_weather --match city=Paris --response '{"temp": 21}'
      tracefabric mock list --namespace payments
    """


@mock.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--clear", "clear_first", is_flag=True, help="Empty the namespace first.")
@click.option("--json", "as_json", is_flag=True, help="Print the server's answers as JSON.")
@_options
def load(files: tuple[str, ...], clear_first: bool, as_json: bool, **options: Any) -> None:
    """Load MCP tools/list files ({"tools": [...]} or a list) and mock data files.

    A data file holds, per tool, `mockResponses: {TOOL: {defaultResponse, fixtures}}`, and
    optionally `faults`; one file may hold tools and data. See docs/mock.md.

    \b
    Example:
      tracefabric mock load tools.yaml
      tracefabric mock load tools.json data.json --namespace shop --server http://127.0.0.1:3000
    """
    from tracefabric.mock import read_document
    from tracefabric.mock.api import check_document

    # Read and check them all before changing anything.
    documents = [(path, read_document(path)) for path in files]
    for path, document in documents:
        check_document(document, path)
    results = []
    with _mock(options) as mock_tools:
        if clear_first:
            mock_tools.clear()
        for path, document in documents:
            result = mock_tools.load(document)
            results.append({"file": path, **result})
            if not as_json:
                parts = [f"{result['loaded']} tools"]
                if result.get("responses"):
                    parts.append(f"{result['responses']} responses")
                if result.get("fixtures"):
                    parts.append(f"{result['fixtures']} fixtures")
                if result.get("faults"):
                    parts.append("fault settings")
                click.echo(f"{path}: loaded {', '.join(parts)} into namespace {mock_tools.namespace!r}")
    if as_json:
        _echo_json(results)


@mock.command("list")
@click.option("--tool", "tool_name", default=None, help="Show one tool in full (fixtures, mockResponse).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_options
def list_tools(tool_name: str | None, as_json: bool, **options: Any) -> None:
    """Show the tools of a namespace, how each is answered, and the fault settings.

    \b
    Example:
      tracefabric mock list
      tracefabric mock list --tool charge_card --namespace payments
    """
    with _mock(options) as mock_tools:
        if tool_name:
            _echo_json(mock_tools.get(tool_name))
            return
        listing = mock_tools.list()
    if as_json:
        _echo_json(listing)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    tools = listing.get("tools", [])
    console.print(f"[bold]namespace {listing.get('namespace')!r}[/]: {len(tools)} tools")
    if tools:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        for column in ("tool", "arguments", "answers with", "hints", "description"):
            table.add_column(column, overflow="fold")
        for tool in tools:
            schema = tool.get("inputSchema") or {}
            required = set(schema.get("required", []))
            args = ", ".join(n if n in required else f"{n}?" for n in (schema.get("properties") or {}))
            info = tool.get("mock", {})
            answers = []
            if info.get("fixtures"):
                answers.append(f"{info['fixtures']} fixtures")
            if info.get("mockResponse"):
                answers.append("template")
            if not answers:
                answers.append("[yellow]echo[/]" if tool.get("outputSchema") else "echo")
            hints = [
                label
                for key, label in (("readOnlyHint", "read-only"), ("destructiveHint", "destructive"))
                if (tool.get("annotations") or {}).get(key)
            ]
            description = (tool.get("description") or "").split("\n")[0]
            table.add_row(tool["name"], args, ", ".join(answers), ", ".join(hints), description)
        console.print(table)
    faults = listing.get("faults")
    console.print(f"faults: {json.dumps(faults) if faults else 'none'}")


@mock.group("fixture", context_settings={"help_option_names": ["-h", "--help"]})
def fixture() -> None:
    """Fixtures: responses used when a call's arguments match (most specific match wins)."""


def _match(match: tuple[str, ...], glob: tuple[str, ...], regex: tuple[str, ...]) -> dict[str, Any]:
    out = _pairs(match, "--match", _loose)
    out.update(_pairs(glob, "--glob", lambda v: {"$glob": v}))
    out.update(_pairs(regex, "--regex", lambda v: {"$regex": v}))
    return out


MATCH_OPTIONS = [
    click.option(
        "--match", multiple=True, help="PATH=VALUE the argument must equal (VALUE read as JSON if it is)."
    ),
    click.option("--glob", multiple=True, help="PATH=PATTERN a string argument must match (*, ?, [..])."),
    click.option("--regex", multiple=True, help="PATH=REGEX a string argument must fully match."),
]


def _match_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for decorator in reversed(MATCH_OPTIONS):
        func = decorator(func)
    return _options(func)


@fixture.command("add")
@click.argument("tool")
@click.option("--response", "-r", required=True, help="The response: JSON, or @FILE (JSON or YAML).")
@_match_options
def fixture_add(
    tool: str,
    response: str,
    match: tuple[str, ...],
    glob: tuple[str, ...],
    regex: tuple[str, ...],
    **options: Any,
) -> None:
    """Add a fixture to TOOL (one with the same match is replaced).

    PATH is an argument name or a dotted path into nested arguments (`customer.id`).
    Responses may use {{arg}} placeholders.

    \b
    Example:
      tracefabric mock fixture add get_weather --match city=Paris --response '{"temp": 21, "city": "{{city}}"}'
      tracefabric mock fixture add charge_card --match customer.id='"cus_1"' --glob customer.tier='gold*' -r @declined.json
    """
    value = _json_value(response, "--response")
    with _mock(options) as mock_tools:
        _echo_json(mock_tools.add_fixture(tool, value, match=_match(match, glob, regex)))


@fixture.command("remove")
@click.argument("tool")
@_match_options
def fixture_remove(
    tool: str, match: tuple[str, ...], glob: tuple[str, ...], regex: tuple[str, ...], **options: Any
) -> None:
    """Remove TOOL's fixture whose match is exactly this one.

    \b
    Example:
      tracefabric mock fixture remove get_weather --match city=Paris
    """
    with _mock(options) as mock_tools:
        _echo_json(mock_tools.remove_fixture(tool, match=_match(match, glob, regex)))


@fixture.command("show")
@click.argument("tool")
@_options
def fixture_show(tool: str, **options: Any) -> None:
    """Show TOOL's fixtures (in insertion order) and its mockResponse.

    \b
    Example:
      tracefabric mock fixture show get_weather
    """
    with _mock(options) as mock_tools:
        _echo_json(mock_tools.get(tool))


@mock.command("response")
@click.argument("tool")
@click.option("--response", "-r", default=None, help="The template: JSON, or @FILE (JSON or YAML).")
@click.option("--unset", is_flag=True, help="Remove the template (calls fall back to the echo).")
@_options
def response_cmd(tool: str, response: str | None, unset: bool, **options: Any) -> None:
    """Set TOOL's mockResponse, the answer when no fixture matches.

    \b
    Example:
      tracefabric mock response get_weather -r '{"city": "{{city}}", "temp": 18}'
    """
    if (response is None) == (not unset):
        raise click.UsageError("give --response or --unset")
    value = None if unset else _json_value(response or "", "--response")
    with _mock(options) as mock_tools:
        _echo_json(mock_tools.update_response(tool, value))


@mock.command("faults")
@click.option("--set", "settings", default=None, help="New settings: JSON, or @FILE (JSON or YAML).")
@click.option("--clear", "clear_faults", is_flag=True, help="Turn fault injection off.")
@_options
def faults_cmd(settings: str | None, clear_faults: bool, **options: Any) -> None:
    """Show or change the namespace's fault injection (seeded, reproducible).

    \b
    Example:
      tracefabric mock faults --set '{"seed": 7, "rate_limited": 0.1, "tools": {"charge_card": {"timeout": 0.2}}}'
      tracefabric mock faults
    """
    with _mock(options) as mock_tools:
        if clear_faults:
            mock_tools.clear_faults()
        elif settings is not None:
            mock_tools.set_faults(_json_value(settings, "--set"))
        _echo_json({"faults": mock_tools.faults()})


@mock.command("pull")
@click.argument("url")
@click.option("--header", multiple=True, help="KEY=VALUE header sent to the MCP server (repeatable).")
@click.option("--timeout", type=float, default=None, help="Seconds to wait for the server [default: 30].")
@_options
def pull(url: str, header: tuple[str, ...], timeout: float | None, **options: Any) -> None:
    """Fetch an MCP server's tools (streamable HTTP) through the sandbox host and load them.

    The host connects only to origins the manifest grants the mock component (by default
    MCP servers on this machine). For other servers use `tracefabric tools import`.

    \b
    Example:
      tracefabric mock pull http://127.0.0.1:8000/mcp --namespace shop
    """
    headers = _pairs(header, "--header", str)
    with _mock(options) as mock_tools:
        result = mock_tools.pull(url, headers=headers, timeout=timeout)
    click.echo(f"pulled {result['loaded']} tools from {url} into namespace {options['namespace']!r}")


@mock.command("clear")
@click.option("--tool", "tool_name", default=None, help="Remove only this tool.")
@_options
def clear(tool_name: str | None, **options: Any) -> None:
    """Remove every tool, response and fault setting of the namespace (or one tool).

    \b
    Example:
      tracefabric mock clear --namespace scratch
    """
    with _mock(options) as mock_tools:
        _echo_json(mock_tools.clear(tool_name))
