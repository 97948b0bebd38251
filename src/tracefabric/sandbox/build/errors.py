"""Build errors: each message says what failed and what to do about it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tracefabric.errors import TracefabricError

# A line starting with this, printed by `python -m tracefabric.sandbox.build`, tells the
# build runner that a toolchain (not the user's code) is missing.
TOOLCHAIN_MARKER = "tracefabric: toolchain missing:"


class BuildError(TracefabricError):
    """A component build failed; the message carries the command and its output."""


class ToolchainMissing(BuildError):
    """A compiler or tool a build needs is not installed; the message names what to install."""

    def __init__(self, message: str, *, missing: Sequence[str] = (), install: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.missing = list(missing)
        self.install = list(install)

    @classmethod
    def of(cls, language: str, missing: Sequence[str], install: Sequence[str]) -> ToolchainMissing:
        how = " and ".join(f"`{step}`" for step in install)
        return cls(
            f"the {language} toolchain is incomplete: {', '.join(missing)} not found. Install with {how}",
            missing=missing,
            install=install,
        )


class BuildFailed(BuildError):
    """A `[component.NAME.build]` command exited non-zero (or produced no component)."""

    def __init__(
        self, component: str, command: str, workdir: Path, returncode: int, output: str, reason: str = ""
    ) -> None:
        self.component = component
        self.command = command
        self.workdir = workdir
        self.returncode = returncode
        self.output = output
        self.reason = reason or f"exit status {returncode}"
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [
            f"building component {self.component!r} failed ({self.reason})",
            f"  command: {self.command}",
            f"  workdir: {self.workdir}",
        ]
        tail = tail_lines(self.output, 40)
        if tail:
            lines.append("  output:")
            lines.extend("    " + line for line in tail.splitlines())
        else:
            lines.append("  output: (none)")
        return "\n".join(lines)


def tail_lines(text: str, count: int) -> str:
    lines = text.rstrip().splitlines()
    if len(lines) <= count:
        return "\n".join(lines)
    return "\n".join([f"... ({len(lines) - count} earlier lines)", *lines[-count:]])
