"""A click group whose subcommands are imported only when used (keeps `--help` fast)."""

from __future__ import annotations

from importlib import import_module

import click


class LazyGroup(click.Group):
    """`lazy_commands` maps a command name to "module:attribute"; aliases map to a command name."""

    def __init__(
        self,
        *args: object,
        lazy_commands: dict[str, str] | None = None,
        aliases: dict[str, str] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = dict(lazy_commands or {})
        self.aliases = dict(aliases or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        name = self.aliases.get(name, name)
        target = self.lazy_commands.get(name)
        if target is None:
            return super().get_command(ctx, name)
        module, attribute = target.split(":")
        command = getattr(import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The top level's short help comes from a static table so that --help imports nothing
        # heavy; a subgroup's commands are light enough to import for theirs.
        rows = []
        for name in self.list_commands(ctx):
            text = COMMAND_HELP.get(name) if self.name == "cli" else None
            if text is None:
                command = self.get_command(ctx, name)
                text = command.get_short_help_str(limit=90) if command is not None else ""
            rows.append((name, text))
        rows += [(alias, f"Alias of '{target}'.") for alias, target in sorted(self.aliases.items())]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


COMMAND_HELP: dict[str, str] = {}
