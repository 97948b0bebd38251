"""Removing secrets from text, in the forms a secret commonly travels in.

A token can come back from a remote service, or out of a component, not only verbatim:
base64-encoded (alone, or inside a larger encoded blob such as a Basic credential
``user:token``), URL-encoded, as hex, JSON-escaped, or wrapped across lines and split by
whitespace (raw, or JSON-escaped as in a result that is JSON text). `Redactor` replaces every one of those forms with ``[REDACTED]``.

For base64 inside a larger blob, the token's characters depend on its offset modulo 3, so
each of the three alignments contributes the part of its encoding that does not depend on
the neighbouring bytes. Any whitespace may appear between the characters of every form.

Standard library only: the host uses this module, and so do guest components (it ships
with the guest SDK and runs inside the sandbox).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "[REDACTED]"
# Shorter secrets are replaced verbatim only: their encodings (or their letters spread over
# whitespace) would match ordinary text.
MIN_ENCODED_LENGTH = 8


def _base64_cores(secret: bytes) -> set[str]:
    """The parts of the secret's base64 encodings that are the same whatever surrounds it."""
    cores: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret).decode("ascii").rstrip("=")
        start = -(-offset * 8 // 6)  # first character made only of the secret's bits
        end = (offset + len(secret)) * 8 // 6  # past the last such character
        core = encoded[start:end]
        if len(core) >= MIN_ENCODED_LENGTH:
            cores.add(core)
            cores.add(core.replace("+", "-").replace("/", "_"))  # the URL-safe alphabet
    return cores


def _percent_lower(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


def encoded_forms(secret: str) -> set[str]:
    """The secret and its common encodings."""
    forms = {secret}
    if len(secret) < MIN_ENCODED_LENGTH:
        return forms
    raw = secret.encode("utf-8")
    forms |= _base64_cores(raw)
    for encoded in (quote(secret, safe=""), quote_plus(secret, safe="")):
        forms |= {encoded, _percent_lower(encoded)}
    forms |= {raw.hex(), raw.hex().upper()}
    forms.add(json.dumps(secret)[1:-1])
    return forms


# Whitespace, raw or JSON-escaped: results are often JSON text, where a wrapped line is "\n".
_GAP = r"(?:\s|\\[nrt])*"


def _spaced(form: str) -> str:
    """A pattern matching `form` with any whitespace between its characters."""
    return _GAP.join(re.escape(char) for char in form)


class Redactor:
    """`redactor(text)`: `text` with every form of every secret replaced by [REDACTED]."""

    def __init__(self, secrets: Iterable[str]) -> None:
        values = {s for s in secrets if s}
        self.secrets = sorted(values, key=len, reverse=True)
        patterns: dict[str, str] = {}
        for secret in self.secrets:
            if len(secret) < MIN_ENCODED_LENGTH:
                patterns.setdefault(secret, re.escape(secret))
            else:
                patterns.update((form, _spaced(form)) for form in encoded_forms(secret))
        # Longest first: a form that contains another is replaced whole.
        ordered = sorted(patterns, key=lambda f: (-len(f), f))
        self._pattern = re.compile("|".join(patterns[f] for f in ordered)) if ordered else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(REDACTED, text)

    def value(self, value: object) -> object:
        """A JSON-like value with every string in it (keys too) redacted."""
        if self._pattern is None:
            return value
        try:
            return self._value(value)
        except RecursionError:  # absurdly deep: redact its JSON text instead
            return self(json.dumps(value, ensure_ascii=False, default=str))

    def _value(self, value: object) -> object:
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {self(k) if isinstance(k, str) else k: self._value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._value(v) for v in value]
        return value
