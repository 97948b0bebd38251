"""Entry point: `tracefabric COMMAND ...`. Config and input errors exit 2 with one clear line."""

from __future__ import annotations

import sys

import click

from tracefabric import __version__

from .lazy import COMMAND_HELP, LazyGroup

# name → (module:attribute, one-line help). A command exists only once it is built.
COMMANDS: dict[str, tuple[str, str]] = {
    "generate": (
        "tracefabric.cli.generate:generate_command",
        "Generate a dataset from a YAML config (resumable).",
    ),
    "validate": (
        "tracefabric.cli.generate:validate_command",
        "Check a config and print the plan (topics, samples, calls).",
    ),
    "verify": (
        "tracefabric.cli.verify:verify_command",
        "Check messages agree with traces, and replay every tool call.",
    ),
    "export": (
        "tracefabric.cli.export:export_command",
        "Export a dataset for training: openai, hf (Parquet + card), sharegpt, text (chat template).",
    ),
    "split": (
        "tracefabric.cli.split:split_command",
        "Split a dataset into train/validation/test without topic or near-duplicate leakage.",
    ),
    "stats": (
        "tracefabric.cli.stats:stats_command",
        "Statistics of a dataset: kinds, turns, tool calls, tokens, errors, topic coverage.",
    ),
    "view": (
        "tracefabric.cli.view:view_command",
        "Browse datasets, traces, failures, run.json and evaluation reports in the browser.",
    ),
    "push": (
        "tracefabric.cli.push:push_command",
        "Upload a dataset to the Hugging Face Hub with a generated dataset card.",
    ),
    "tools": ("tracefabric.cli.tools:tools", "List and call the tools a manifest exposes; import MCP tools."),
    "component": ("tracefabric.cli.component:component", "Scaffold and build your own tool components."),
    "serve": (
        "tracefabric.cli.serve:serve",
        "Serve the tool sandbox over HTTP (DeepFabric Spin tools-sdk API).",
    ),
    "topics": (
        "tracefabric.cli.topics:topics",
        "Generate, inspect, prune and render topic trees and graphs.",
    ),
    "mock": ("tracefabric.cli.mock:mock", "Mock tools from MCP schemas: load, fixtures, faults."),
    # The same command as `tools import`, under DeepFabric's top-level name.
    "import-tools": (
        "tracefabric.cli.tools_import:import_tools",
        "Alias of 'tools import': fetch tools from an MCP server.",
    ),
}
ALIASES: dict[str, str] = {}

COMMAND_HELP.update({name: help_text for name, (_, help_text) in COMMANDS.items()})


@click.group(
    cls=LazyGroup,
    lazy_commands={name: target for name, (target, _) in COMMANDS.items()},
    aliases=ALIASES,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="tracefabric")
def cli() -> None:
    """tracefabric: training data for tool-using agents, every tool call executed for real
    in a WebAssembly sandbox."""


def main() -> None:
    from tracefabric.errors import ConfigError, SandboxError, TracefabricError

    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except ConfigError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            click.echo(f"error: {line}", err=True)
        sys.exit(2)
    except SandboxError as exc:
        click.echo(f"error: {exc.error_type}: {exc.message}", err=True)
        sys.exit(1)
    except TracefabricError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
