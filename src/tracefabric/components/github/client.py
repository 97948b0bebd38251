"""A small GitHub REST client over the host's outbound HTTP, with GitHub's errors mapped.

Requests go to ``api_base`` only (the manifest grants that origin and nothing else; the host
refuses any other URL, and any redirect off it, before a byte is sent). The token goes in
the Authorization header and nowhere else: it is never logged, never put in a message (text
GitHub sends back is redacted of it, in any common encoding, before it is quoted), and the
host scrubs secret values from every output besides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tracefabric.guest import (
    APIError,
    NotFound,
    RateLimited,
    ToolError,
    Unauthorized,
    http,
    log,
    variables,
)
from tracefabric.guest.redact import Redactor

DEFAULT_API_BASE = "https://api.github.com"
USER_AGENT = "tracefabric-github/0.1"
API_VERSION = "2022-11-28"
TRUE_WORDS = ("true", "1", "yes", "on")
MAX_MESSAGE_CHARS = 500  # of GitHub's error message, quoted in ours


@dataclass(frozen=True)
class Settings:
    token: str
    api_base: str
    allowed_repos: str
    allow_writes: bool

    @classmethod
    def load(cls) -> Settings:
        token = (variables.get("github_token", "") or "").strip()
        if token.startswith("{{"):  # an unrendered template is no token
            token = ""
        base = (variables.get("api_base", "") or "").strip() or DEFAULT_API_BASE
        return cls(
            token=token,
            api_base=base.rstrip("/"),
            allowed_repos=variables.get("allowed_repos", "") or "",
            allow_writes=(variables.get("allow_writes", "") or "").strip().lower() in TRUE_WORDS,
        )


@dataclass
class Reply:
    status: int
    data: Any
    headers: dict[str, str]

    @property
    def has_next_page(self) -> bool:
        return 'rel="next"' in (self.headers.get("link") or "")


class GitHub:
    def __init__(self, settings: Settings, meta: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.meta = meta if meta is not None else {}
        self._redactor = Redactor([settings.token] if settings.token else [])

    def _headers(self, accept: str) -> dict[str, str]:
        headers = {"accept": accept, "x-github-api-version": API_VERSION, "user-agent": USER_AGENT}
        if self.settings.token:
            headers["authorization"] = f"Bearer {self.settings.token}"
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        body: Any = None,
        what: str = "",
        accept: str = "application/vnd.github+json",
        raw: bool = False,
    ) -> Reply:
        """`path` is already built from checked, encoded segments ('/repos/o/r/...')."""
        params = {k: v for k, v in (query or {}).items() if v is not None and v != ""}
        url = self.settings.api_base + path + (("?" + urlencode(params)) if params else "")
        headers = self._headers(accept)
        payload = None
        if body is not None:
            headers["content-type"] = "application/json"
            payload = json.dumps(body)
        response = http.request(method, url, headers, payload)
        log.debug(f"{method} {path} -> {response.status}")
        self._note_rate_limit(response.headers)
        data = response.body if raw and response.status < 300 else _parse(response.body)
        if response.status >= 400:
            raise self._error(response.status, response.headers, data, what or f"{method} {path}")
        if response.status >= 300:
            raise APIError(f"GitHub answered {response.status} for {what or path} (an unfollowed redirect)")
        return Reply(response.status, data, response.headers)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def _note_rate_limit(self, headers: dict[str, str]) -> None:
        remaining = _int(headers.get("x-ratelimit-remaining"))
        if remaining is None:
            return
        self.meta["rate_limit"] = {
            "remaining": remaining,
            "limit": _int(headers.get("x-ratelimit-limit")),
            "reset": _int(headers.get("x-ratelimit-reset")),
        }

    def _redact(self, text: str) -> str:
        return self._redactor(text)

    def _error(self, status: int, headers: dict[str, str], data: Any, what: str) -> ToolError:
        # Redacted before clipping: a server that echoes the credential must not put it (or a
        # clipped piece of it) in front of the model.
        message = self._redact(_message(data))[:MAX_MESSAGE_CHARS]
        limited = _rate_limit_error(status, headers, message, authenticated=bool(self.settings.token))
        if limited is not None:
            error, info = limited
            self.meta["rate_limit"] = {**self.meta.get("rate_limit", {}), **info}
            return error
        if status == 401:
            if self.settings.token:
                return Unauthorized(
                    f"GitHub rejected the configured token (401: {message or 'Bad credentials'})"
                )
            return Unauthorized(
                f"GitHub requires authentication for {what} (401: {message or 'Requires authentication'}); "
                "no token is configured (set GITHUB_TOKEN)"
            )
        if status == 404:
            return NotFound(f"Not found: {what} (GitHub answered 404{': ' + message if message else ''})")
        if status == 422:
            details = self._redact(_validation_details(data))[:MAX_MESSAGE_CHARS]
            return APIError(f"GitHub API error (422): {message or 'Validation Failed'}{details} ({what})")
        return APIError(f"GitHub API error ({status}): {message or 'no message'} ({what})")


def _parse(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


def _message(data: Any) -> str:
    if isinstance(data, dict):
        return str(data.get("message") or "")
    if isinstance(data, str):
        return data.strip()
    return ""


def _validation_details(data: Any) -> str:
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list) or not errors:
        return ""
    parts = []
    for item in errors[:5]:
        if isinstance(item, dict):
            text = (
                item.get("message")
                or " ".join(str(item.get(k, "")) for k in ("resource", "field", "code")).strip()
            )
            parts.append(str(text))
        else:
            parts.append(str(item))
    return ": " + "; ".join(p for p in parts if p)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def utc_text(epoch: int) -> str:
    """An epoch second as '2025-01-01T00:00:00Z'.

    Computed by hand: in the guest, `datetime` and `time` reach for WASI clocks, which are
    stubbed out (a call traps). Days to civil date after Howard Hinnant's algorithm.
    """
    days, seconds = divmod(epoch, 86_400)
    days += 719_468
    era = days // 146_097
    day_of_era = days - era * 146_097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + 3 if shifted_month < 10 else shifted_month - 9
    year = year_of_era + era * 400 + (1 if month <= 2 else 0)
    hour, rest = divmod(seconds, 3600)
    minute, second = divmod(rest, 60)
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"


def _rate_limit_error(
    status: int, headers: dict[str, str], message: str, *, authenticated: bool
) -> tuple[ToolError, dict[str, Any]] | None:
    if status not in (403, 429):
        return None
    remaining = _int(headers.get("x-ratelimit-remaining"))
    reset = _int(headers.get("x-ratelimit-reset"))
    retry_after = _int(headers.get("retry-after"))
    primary = remaining == 0
    if not (primary or retry_after is not None or status == 429 or "rate limit" in message.lower()):
        return None
    info: dict[str, Any] = {"exceeded": True}
    parts: list[str] = []
    if retry_after is not None:
        info["retry_after"] = retry_after
        parts.append(f"retry after {retry_after} seconds")
    if primary and reset is not None:
        info["reset"] = reset
        info["reset_at"] = utc_text(reset)
        parts.append(f"the limit resets at {info['reset_at']} (epoch {reset})")
    if not parts:
        parts.append("wait at least a minute before retrying")
    kind = "rate limit" if primary else "secondary rate limit"
    hint = (
        ""
        if authenticated
        else "; unauthenticated use allows 60 requests an hour, a token (GITHUB_TOKEN) 5000"
    )
    detail = f" ({message})" if message else ""
    return RateLimited(f"GitHub API {kind} exceeded{detail}: {', '.join(parts)}{hint}"), info
