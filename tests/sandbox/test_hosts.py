"""allowed_outbound_hosts patterns: Spin's syntax, matched against URLs as the client parses them."""

from __future__ import annotations

import pytest

from tracefabric.errors import ConfigError
from tracefabric.sandbox.manifest import HostAllowlist, parse_host_pattern


@pytest.mark.parametrize(
    ("patterns", "url", "allowed"),
    [
        (["https://api.github.com"], "https://api.github.com/repos/a/b", True),
        (["https://api.github.com"], "https://api.github.com:443/x", True),
        (["https://api.github.com"], "http://api.github.com/x", False),  # scheme
        (["https://api.github.com"], "https://api.github.com:8443/x", False),  # port
        (["https://api.github.com"], "https://evil.com/api.github.com", False),
        (["https://api.github.com"], "https://api.github.com.evil.com/", False),
        (["http://*:*"], "http://10.0.0.1:9999/", True),
        (["http://*:*"], "https://10.0.0.1/", False),
        (["https://*.example.com:443"], "https://a.example.com/", True),
        (["https://*.example.com:443"], "https://a.b.example.com/", True),
        (["https://*.example.com:443"], "https://example.com/", False),  # apex is not a subdomain
        (["https://*.example.com:443"], "https://badexample.com/", False),
        (["http://127.0.0.1:8080"], "http://127.0.0.1:8080/x", True),
        (["http://127.0.0.1:8080"], "http://127.0.0.1:8081/x", False),
        (["http://localhost:8000..8010"], "http://localhost:8005/", True),
        (["http://localhost:8000..8010"], "http://localhost:8011/", False),
        (["*://api.example.com:*"], "https://api.example.com:1234/", True),
        ([], "https://api.github.com/", False),
    ],
)
def test_allowlist(patterns: list[str], url: str, allowed: bool) -> None:
    assert (HostAllowlist(patterns).check(url) is None) is allowed


@pytest.mark.parametrize(
    "url",
    [
        "https://api.github.com@evil.com/",  # userinfo trick: the real host is evil.com
        "file:///etc/passwd",
        "ftp://api.github.com/",
        "https:///nohost",
        "https://api.github.com:99999/",
    ],
)
def test_tricky_urls_refused(url: str) -> None:
    assert HostAllowlist(["https://api.github.com"]).check(url) is not None


@pytest.mark.parametrize(
    "pattern",
    ["api.github.com", "gopher://x", "https://a.com/path", "https://a*b.com", "*://x.com", "https://x.com:0"],
)
def test_bad_patterns_are_config_errors(pattern: str) -> None:
    with pytest.raises(ConfigError, match="allowed_outbound_hosts"):
        parse_host_pattern(pattern)
