"""Which repositories the tools may touch (`allowed_repos`), and how searches are confined.

``allowed_repos`` is a comma-separated list of ``owner/repo`` and ``owner/*`` entries,
matched case-insensitively (GitHub names are case-insensitive). ``*`` alone allows every
repository explicitly.

Empty means: reads may go to any repository (DeepFabric-compatible; the network is still
confined to the API host), but **writes go nowhere** — a write needs the repository to be
named by an entry (or ``*``). A malformed entry fails every call closed.

Searches are confined twice: scope qualifiers for the allowed repositories are added to the
query (``repo:o/r`` / ``user:o``), qualifiers the model wrote itself must stay inside the
allowlist, and every result outside it is dropped afterwards. The drop is the guarantee;
the qualifiers keep the pages full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracefabric.guest import ToolError

from .names import OWNER_RE, REPO_RE

REPO_NOT_ALLOWED = "RepoNotAllowed"
SCOPE_QUALIFIER_RE = re.compile(r"^(repo|user|org):(.+)$", re.IGNORECASE)


class RepoNotAllowed(ToolError):
    error_type = REPO_NOT_ALLOWED


@dataclass(frozen=True)
class RepoAllowlist:
    repos: frozenset[str]  # "owner/repo", lower-case
    owners: frozenset[str]  # owners of "owner/*" entries, lower-case
    everything: bool  # "*" was given: all repositories, writes included
    entries: tuple[str, ...]  # as written, for messages

    @classmethod
    def parse(cls, text: str | None) -> RepoAllowlist:
        entries = [e.strip() for e in re.split(r"[,\s]+", text or "") if e.strip()]
        repos: set[str] = set()
        owners: set[str] = set()
        everything = False
        for entry in entries:
            if entry == "*":
                everything = True
                continue
            owner, sep, repo = entry.partition("/")
            if (
                not sep
                or not OWNER_RE.fullmatch(owner)
                or not (repo == "*" or REPO_RE.fullmatch(repo))
                or repo in (".", "..")
            ):
                raise RepoNotAllowed(
                    f"the sandbox's allowed_repos setting has a malformed entry {entry!r} "
                    "(expected 'owner/repo', 'owner/*' or '*'); no repository is reachable until it is fixed"
                )
            if repo == "*":
                owners.add(owner.lower())
            else:
                repos.add(f"{owner}/{repo}".lower())
        return cls(frozenset(repos), frozenset(owners), everything, tuple(entries))

    @property
    def unrestricted(self) -> bool:
        """Reads may go anywhere (no entries, or '*')."""
        return self.everything or not self.entries

    def allows(self, owner: str, repo: str) -> bool:
        if self.unrestricted:
            return True
        return owner.lower() in self.owners or f"{owner}/{repo}".lower() in self.repos

    def allows_full_name(self, full_name: str) -> bool:
        owner, _, repo = (full_name or "").partition("/")
        return bool(owner and repo) and self.allows(owner, repo)

    def describe(self) -> str:
        if self.everything:
            return "all repositories"
        if not self.entries:
            return "any repository (no allowlist set)"
        return ", ".join(sorted([*self.repos, *(f"{o}/*" for o in self.owners)]))

    def check(self, owner: str, repo: str) -> None:
        if not self.allows(owner, repo):
            raise RepoNotAllowed(
                f"Repository '{owner}/{repo}' is not in the allowed list. "
                f"Allowed repositories: {self.describe()}"
            )

    # -- searches ---------------------------------------------------------------------
    def scope_query(self, query: str) -> str:
        """The query confined to the allowlist (unchanged when reads are unrestricted)."""
        if self.unrestricted:
            return query
        tokens = tokenize(query)
        kept: list[str] = []
        scopes: list[str] = []
        refused: list[str] = []
        for token in tokens:
            match = SCOPE_QUALIFIER_RE.match(token)
            if match is None:
                kept.append(token)  # negated qualifiers ('-repo:x') only narrow: kept as they are
                continue
            kind, value = match.group(1).lower(), match.group(2).strip('"')
            narrowed = self._narrow(kind, value)
            if narrowed:
                scopes.extend(narrowed)
            else:
                refused.append(token)
        if refused:
            raise RepoNotAllowed(
                f"the search names {', '.join(refused)}, outside the allowed repositories "
                f"({self.describe()}); "
                "search without repo/user/org qualifiers to search all allowed repositories"
            )
        if not scopes:
            scopes = self._all_scopes()
        return " ".join([*kept, *dict.fromkeys(scopes)])

    def _narrow(self, kind: str, value: str) -> list[str]:
        if kind == "repo":
            return [f"repo:{value}"] if self.allows_full_name(value) else []
        owner = value.lower()
        if owner in self.owners:
            return [f"{kind}:{value}"]
        return [f"repo:{name}" for name in sorted(self.repos) if name.split("/", 1)[0] == owner]

    def _all_scopes(self) -> list[str]:
        return [*(f"repo:{r}" for r in sorted(self.repos)), *(f"user:{o}" for o in sorted(self.owners))]


def tokenize(query: str) -> list[str]:
    """Split a search query on whitespace, keeping double-quoted phrases whole."""
    return re.findall(r'(?:[^\s"]+|"[^"]*")+|"[^"]*$', query)
