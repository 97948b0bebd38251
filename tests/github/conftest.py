"""Fixtures: a fake GitHub API on 127.0.0.1, another host that must never be reached, and
sandbox hosts whose `github` component points at the fake (built once, cached)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tracefabric.sandbox.host import SandboxHost

from .fake_github import FakeGitHub, OtherHost
from .helpers import ALLOWED, TOKEN, HostFactory


@pytest.fixture(scope="session")
def other_host() -> Iterator[OtherHost]:
    server = OtherHost()
    yield server
    server.close()


@pytest.fixture(scope="session")
def fake(other_host: OtherHost) -> Iterator[FakeGitHub]:
    server = FakeGitHub(token=TOKEN)
    server.state.redirect_host = other_host.url
    yield server
    server.close()


@pytest.fixture(scope="session")
def make_host(fake: FakeGitHub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostFactory]:
    """`make_host(allow_writes="true", ...)`: a host with `github` enabled, pointed at the fake."""
    hosts: list[SandboxHost] = []

    def make(manifest: Any = None, **variables: str) -> SandboxHost:
        values = {"api_base": fake.url, "github_token": TOKEN, "allowed_repos": ALLOWED, **variables}
        host = SandboxHost(
            manifest,
            data_dir=tmp_path_factory.mktemp("kv"),
            enable=["github"],
            variables=values,
            environ={},  # hermetic: a GITHUB_TOKEN in the developer's environment is not used
            pool_size=0,
        )
        hosts.append(host)
        return host

    yield make
    for host in hosts:
        host.close()


@pytest.fixture(scope="session")
def host(make_host: HostFactory) -> SandboxHost:
    """The usual host: token set, allowlist 'octo/hello, acme/*', writes off."""
    return make_host()
