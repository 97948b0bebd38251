"""A component's capabilities, resolved from its manifest entry: the only things it may touch."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from tracefabric.sandbox.manifest import ComponentConfig, HostAllowlist, Manifest, VariableResolver


@dataclass
class Grants:
    component: str
    config: ComponentConfig
    stores: frozenset[str]
    shared_stores: frozenset[str]
    resolver: VariableResolver
    _variables: dict[str, str] | None = None
    _hosts: HostAllowlist | None = None
    # Re-entrant: rendering a templated host pattern (`hosts`) reads `variables` under the lock.
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def from_manifest(cls, manifest: Manifest, name: str, resolver: VariableResolver) -> Grants:
        config = manifest.component[name]
        return cls(
            component=name,
            config=config,
            stores=frozenset(config.key_value_stores),
            shared_stores=frozenset(config.shared_key_value_stores),
            resolver=resolver,
        )

    @property
    def variables(self) -> dict[str, str]:
        """Rendered lazily: a disabled component with a required variable must not break loading."""
        with self._lock:
            if self._variables is None:
                self._variables = self.resolver.component_variables(self.component)
            return self._variables

    @property
    def hosts(self) -> HostAllowlist:
        with self._lock:
            if self._hosts is None:
                rendered = [self._render_host(p) for p in self.config.allowed_outbound_hosts]
                self._hosts = HostAllowlist(rendered)
            return self._hosts

    def _render_host(self, pattern: str) -> str:
        # Spin lets host patterns use templates; component variables first, then application ones.
        if "{{" not in pattern:
            return pattern
        from tracefabric.sandbox.manifest.variables import TEMPLATE_RE

        variables = self.variables

        def value(match: object) -> str:
            name = match.group(1)  # type: ignore[attr-defined]
            if name in variables:
                return variables[name]
            return self.resolver.application(name)

        rendered = TEMPLATE_RE.sub(value, pattern)
        # A variable may hold a base URL with a path (GitHub Enterprise: https://host/api/v3):
        # the grant is for its origin.
        scheme, sep, rest = rendered.partition("://")
        return scheme + sep + rest.split("/", 1)[0] if sep else rendered
