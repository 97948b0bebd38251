"""The component's pure-Python rules (allowlist, names), tested directly on the host interpreter."""

from __future__ import annotations

import pytest

from tracefabric.components.github.allowlist import RepoAllowlist, RepoNotAllowed, tokenize
from tracefabric.components.github.client import utc_text
from tracefabric.components.github.names import (
    branch_path,
    check_ref,
    encoded_file_path,
    file_path_segments,
    number,
    repo_path,
)
from tracefabric.guest import InvalidArguments


def test_parse_and_match_case_insensitively() -> None:
    allow = RepoAllowlist.parse(" Octo/Hello,acme/*\n  other/x ")
    assert allow.allows("octo", "hello") and allow.allows("OCTO", "HeLLo")
    assert allow.allows("ACME", "anything") and allow.allows("other", "x")
    assert (
        not allow.allows("octo", "hello2")
        and not allow.allows("acmex", "y")
        and not allow.allows("evil", "x")
    )
    assert not allow.allows_full_name("octo") and not allow.allows_full_name("")
    assert allow.describe() == "acme/*, octo/hello, other/x"


def test_empty_and_star() -> None:
    empty = RepoAllowlist.parse("")
    assert empty.unrestricted and not empty.everything and empty.allows("any", "repo")
    star = RepoAllowlist.parse("*")
    assert star.unrestricted and star.everything


@pytest.mark.parametrize(
    "entry", ["octo", "octo/", "/repo", "octo/../x", "octo/..", "a/b/c", "-x/y", "oc to/x", "*/x"]
)
def test_malformed_entries_fail_closed(entry: str) -> None:
    with pytest.raises(RepoNotAllowed, match="malformed entry"):
        RepoAllowlist.parse(f"octo/hello,{entry}")


def test_check_message() -> None:
    with pytest.raises(RepoNotAllowed) as info:
        RepoAllowlist.parse("octo/hello").check("evil", "x")
    assert info.value.error_type == "RepoNotAllowed"
    assert (
        info.value.message
        == "Repository 'evil/x' is not in the allowed list. Allowed repositories: octo/hello"
    )


def test_scope_query() -> None:
    allow = RepoAllowlist.parse("octo/hello,octo/world,acme/*")
    assert allow.scope_query("foo") == "foo repo:octo/hello repo:octo/world user:acme"
    assert allow.scope_query("foo user:octo") == "foo repo:octo/hello repo:octo/world"
    assert allow.scope_query("foo repo:octo/world repo:octo/world") == "foo repo:octo/world"
    assert allow.scope_query('foo repo:"acme/x"') == "foo repo:acme/x"
    assert (
        allow.scope_query("NOT bar -user:acme")
        == "NOT bar -user:acme repo:octo/hello repo:octo/world user:acme"
    )
    with pytest.raises(RepoNotAllowed, match="repo:octo/other"):
        allow.scope_query("foo repo:octo/other")
    assert RepoAllowlist.parse("").scope_query("foo repo:x/y") == "foo repo:x/y"


def test_tokenize_keeps_quoted_phrases() -> None:
    assert tokenize('a "b c" repo:x/y "open') == ["a", '"b c"', "repo:x/y", '"open']


@pytest.mark.parametrize(
    ("path", "encoded"),
    [
        ("", ""),
        ("/", ""),
        ("src/main.py", "src/main.py"),
        ("/docs/a b.md/", "docs/a%20b.md"),
        ("we?ird#x&y=1", "we%3Fird%23x%26y%3D1"),
        ("100%.txt", "100%25.txt"),
        ("ünïcode/ß.py", "%C3%BCn%C3%AFcode/%C3%9F.py"),
    ],
)
def test_file_paths_are_encoded_per_segment(path: str, encoded: str) -> None:
    assert encoded_file_path(path) == encoded


@pytest.mark.parametrize(
    "path",
    [
        "..",
        "../x",
        "a/../b",
        "a/./b",
        "a//b",
        "a\\b",
        "%2e%2e/x",
        "a%2Fb",
        "a%5cb",
        "a\x00b",
        "a\nb",
        "x" * 1025,
    ],
)
def test_bad_file_paths(path: str) -> None:
    with pytest.raises(InvalidArguments):
        file_path_segments(path)


@pytest.mark.parametrize(
    "ref", ["main", "feature/x", "v1.2.3", "6dcb09b5b57875f334f61aebed695e2e4193db5e", "a-b_c"]
)
def test_good_refs(ref: str) -> None:
    assert check_ref(ref) == ref


@pytest.mark.parametrize(
    "ref",
    [
        "",
        "..",
        "a..b",
        "/a",
        "a/",
        "a.lock",
        "a b",
        "a~1",
        "a^",
        "a:b",
        "a?",
        "a*",
        "a[",
        "a\\b",
        "@{x}",
        "-x",
        "a//b",
        "%2e",
    ],
)
def test_bad_refs(ref: str) -> None:
    with pytest.raises(InvalidArguments):
        check_ref(ref)


def test_branch_path_and_repo_path() -> None:
    assert branch_path("feature/new thing".replace(" ", "-")) == "feature/new-thing"
    assert repo_path("octo", "hello.js") == "/repos/octo/hello.js"
    for owner, repo in [("octo", ".."), ("octo", "a/b"), ("o/x", "r"), ("", "r"), ("octo", "a%2Fb")]:
        with pytest.raises(InvalidArguments):
            repo_path(owner, repo)


def test_numbers() -> None:
    assert number(7, "n") == "7"
    for bad in (0, -1, True, "1", "1/../2", 1.5):
        with pytest.raises(InvalidArguments):
            number(bad, "n")


def test_utc_text_matches_datetime() -> None:
    """The guest has no clock (datetime traps there): the hand-written conversion must agree."""
    import datetime

    assert utc_text(1_700_000_000) == "2023-11-14T22:13:20Z"
    for epoch in [0, 951_782_400, 951_868_799, 1_709_164_800, 4_102_444_799, *range(0, 2**33, 7_654_321)]:
        expected = datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert utc_text(epoch) == expected
