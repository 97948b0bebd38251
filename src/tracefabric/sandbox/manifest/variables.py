"""Variables: application variables from the environment or defaults, rendered into components.

Resolution order for an application variable ``name``: explicit overrides given to the
host, ``TRACEFABRIC_VARIABLE_<NAME>``, ``SPIN_VARIABLE_<NAME>``, the variable's extra ``env``
names, then its ``default``. Component variables are templates over application variables
(``"{{ github_token }}"``), as in Spin. A component sees only the variables its own table lists.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from tracefabric.errors import ConfigError

from .model import Manifest

TEMPLATE_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class VariableResolver:
    def __init__(
        self,
        manifest: Manifest,
        overrides: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.manifest = manifest
        self.overrides = dict(overrides or {})
        self.environ = os.environ if environ is None else environ

    def application(self, name: str) -> str:
        variable = self.manifest.variables.get(name)
        if variable is None:
            raise ConfigError(f"variables: {name!r} is used in a template but not declared under [variables]")
        if name in self.overrides:
            return self.overrides[name]
        upper = name.upper()
        for key in (f"TRACEFABRIC_VARIABLE_{upper}", f"SPIN_VARIABLE_{upper}", *variable.env):
            value = self.environ.get(key)
            if value:
                return value
        if variable.default is not None:
            return variable.default
        raise ConfigError(
            f"variables.{name} is required: set TRACEFABRIC_VARIABLE_{upper} (or SPIN_VARIABLE_{upper})"
        )

    def render(self, template: str) -> str:
        return TEMPLATE_RE.sub(lambda m: self.application(m.group(1)), template)

    def component_variables(self, component: str) -> dict[str, str]:
        config = self.manifest.component[component]
        return {name: self.render(value) for name, value in config.variables.items()}

    def secrets(self) -> list[str]:
        """Values of secret variables that are set: the host scrubs them from every output."""
        values = []
        for name, variable in self.manifest.variables.items():
            if not variable.secret:
                continue
            try:
                value = self.application(name)
            except ConfigError:
                continue
            if len(value) >= 4:
                values.append(value)
        return values
